// Publishes the demo fleet to an MQTT broker in real time (used by `simulate` and demo mode), and plays its
// drivers' devices: jobs and texts FleetDesk sends them are answered as drivers would.
import mqtt, { type MqttClient } from 'mqtt';
import { DemoFleet } from '../core/sim/demo-fleet';

export interface SimPublisherOptions {
  brokerUrl: string;
  username?: string;
  password?: string;
  vehicles: number;
  /** Reports per vehicle per second. */
  rateHz: number;
  seed?: number;
  /** Stop after this long; omitted = until stopped. */
  durationS?: number;
  onProgress?: (published: number) => void;
}

export class SimPublisher {
  readonly fleet: DemoFleet;
  private client: MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  published = 0;

  constructor(private readonly options: SimPublisherOptions) {
    this.fleet = new DemoFleet({ vehicles: options.vehicles, seed: options.seed, startMs: Date.now() });
  }

  /** Connects and publishes until stop() or the duration ends; resolves when done. */
  async run(): Promise<void> {
    const client = await mqtt.connectAsync(this.options.brokerUrl, {
      clientId: `fleetdesk-sim-${process.pid}-${Math.floor(Math.random() * 1e6)}`,
      username: this.options.username,
      password: this.options.password,
      reconnectPeriod: 1000,
    });
    this.client = client;
    // the demo's devices hear FleetDesk: jobs and texts to any demo vehicle (the sim logs in as FleetDesk's own)
    client.on('message', (topic, payload) => this.fleet.receive(topic, payload));
    await client.subscribeAsync(['fleet/+/jobs', 'fleet/+/messages'], { qos: 1 }).catch(() => undefined);
    const periodMs = 1000 / this.options.rateHz;
    const endMs = this.options.durationS !== undefined ? Date.now() + this.options.durationS * 1000 : Infinity;
    let nextMs = Date.now();
    await new Promise<void>((resolve) => {
      const tick = () => {
        if (!this.client) return resolve();
        const now = Date.now();
        if (now >= endMs) return resolve();
        this.fleet.advance(now);
        for (const msg of this.fleet.telemetry()) {
          client.publish(`fleet/${msg.vehicle_id}/telemetry`, JSON.stringify({ ...msg, timestamp: new Date(now).toISOString() }), { qos: 1 });
          this.published++;
        }
        // what the drivers' devices answer (job accepted, stop done, receipts, texts), when due
        for (const o of this.fleet.takeOutgoing(now)) client.publish(o.topic, JSON.stringify(o.body), { qos: 1 });
        this.options.onProgress?.(this.published);
        nextMs += periodMs;
        this.timer = setTimeout(tick, Math.max(0, nextMs - Date.now()));
      };
      tick();
    });
    await this.stop();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync();
  }
}
