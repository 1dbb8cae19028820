// FleetDesk's dispatching connection to the broker (its own MQTT client, apart from the tuned telemetry
// path): publishes jobs to `fleet/<vehicle>/jobs` at QoS 1 and listens to the devices' answers on
// `fleet/+/jobs/ack`, and carries drivers' text messages both ways. A persistent session (stable client id, clean: false), so answers sent while
// FleetDesk was down are delivered when it is back.
import type { MqttClient } from 'mqtt';
import { persistentClient, redactUrl, type BrokerSettings } from './mqtt-subscriber';

export const JOB_ANSWER_TOPIC = 'fleet/+/jobs/ack';
/** What drivers' devices send: their texts and receipts for ours. */
export const MESSAGE_UP_TOPIC = 'fleet/+/messages/up';

export function jobTopic(vehicleId: string): string {
  return `fleet/${vehicleId}/jobs`;
}

/** `fleet/<id>/jobs/ack` → id (null for anything else). */
export function vehicleOfAnswer(topic: string): string | null {
  const m = /^fleet\/([^/]+)\/jobs\/ack$/.exec(topic);
  return m ? m[1]! : null;
}

export class DispatchLink {
  private client: MqttClient | null = null;

  constructor(
    private readonly settings: BrokerSettings,
    private readonly events: { answer(topic: string, payload: Buffer): void; log(line: string): void },
    private readonly seed: string,
  ) {}

  start(): void {
    const { client, password } = persistentClient(this.settings, `dispatch|${this.seed}`);
    this.client = client;
    let said = false;
    client.on('connect', (connack) => {
      said = false;
      if (!connack.sessionPresent)
        client.subscribe([JOB_ANSWER_TOPIC, MESSAGE_UP_TOPIC], { qos: 1 }, (err) => err && this.events.log(`dispatch: subscribe to ${JOB_ANSWER_TOPIC} and ${MESSAGE_UP_TOPIC} failed: ${err.message}`));
    });
    client.on('message', (topic, payload) => this.events.answer(topic, payload));
    client.on('error', (err) => {
      // once per outage: the status bar already says the broker is away
      if (!said) this.events.log(`dispatch connection to ${redactUrl(this.settings.url)}: ${err.message.replace(password ?? '\u0000', '***')}`);
      said = true;
    });
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Publishes at QoS 1; resolves when the broker has it (mqtt.js keeps it and resends while disconnected). */
  publish(topic: string, message: unknown): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('the dispatch connection is not started'));
    return new Promise((resolve, reject) => client.publish(topic, JSON.stringify(message), { qos: 1 }, (err) => (err ? reject(err) : resolve())));
  }

  async stop(): Promise<void> {
    await this.client?.endAsync().catch(() => undefined);
    this.client = null;
  }
}
