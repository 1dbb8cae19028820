// Subscribes to fleet telemetry on any MQTT broker (mqtt.js) and reports its connection state.
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import type { StreamBuilder } from 'mqtt/lib/shared';
import type { BrokerConnectionState } from '../../shared/contract/ingest';
import { PublishTap, type TapConsumer } from './publish-tap';

export const TELEMETRY_TOPIC = 'fleet/+/telemetry';

export interface BrokerSettings {
  /** mqtt://, mqtts://, ws:// or wss:// URL; credentials may be given here or separately. */
  url: string;
  username?: string;
  password?: string;
  /** Stable client id, so the broker keeps our session (and queued QoS 1 messages) across restarts. */
  clientId?: string;
}

/** The URL as it may be shown or logged: no user name, no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/** Error text with anything that looks like a credential removed. */
export function redactError(message: string, settings: BrokerSettings): string {
  let out = message;
  for (const secret of [settings.password, settings.username]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out.replace(/\/\/[^@/\s]*@/g, '//');
}

/** The broker URL without credentials, and the credentials (given apart, or taken out of the URL). */
export function splitCredentials(settings: BrokerSettings): { url: string; username?: string; password?: string } {
  const url = new URL(settings.url);
  const username = settings.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = settings.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  return { url: url.toString(), username, password };
}

export function clientIdFor(seed: string): string {
  return `fleetdesk-${createHash('sha1').update(seed).digest('hex').slice(0, 12)}`;
}

/**
 * One of FleetDesk's own MQTT connections beside the telemetry path (dispatch, a depot's link upstream,
 * headquarters hearing depots): a stable client id from `seed` and a persistent session, so QoS 1 messages
 * wait at the broker while FleetDesk is away; reconnects every 2 s. Returns the password too, so what it
 * logs can hide it.
 */
export function persistentClient(settings: BrokerSettings, seed: string): { client: MqttClient; password: string | undefined } {
  const { url, username, password } = splitCredentials(settings);
  const client = mqtt.connect(url, { clientId: clientIdFor(seed), clean: false, username, password, reconnectPeriod: 2000, connectTimeout: 10_000, keepalive: 30, resubscribe: true, log: () => {} });
  return { client, password };
}

export interface SubscriberEvents {
  onState(state: BrokerConnectionState, error: string | null): void;
  /** One message; call `ack` once it is safely stored. */
  onMessage(topic: string, payload: Buffer, ack: () => void): void;
  /** A promise while the consumer is full: reading from the broker pauses until it resolves. */
  backpressure?(): Promise<void> | null;
}

const noAck = () => {};

export class MqttSubscriber {
  private client: MqttClient | null = null;

  constructor(
    private readonly settings: BrokerSettings,
    private readonly events: SubscriberEvents,
  ) {}

  get displayUrl(): string {
    return redactUrl(this.settings.url);
  }

  start(): void {
    const { url, username, password } = splitCredentials(this.settings);
    this.events.onState('connecting', null);
    const client = mqtt.connect(url, {
      clientId: this.settings.clientId ?? clientIdFor(this.settings.url),
      clean: false,
      username,
      password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: true,
      protocolVersion: 4, // the tap below reads MQTT 3.1.1 PUBLISH packets
      manualConnect: true, // the connection is wrapped in a PublishTap first (below)
      log: () => {}, // mqtt.js logs every packet through `debug`; ~2 % of ingest CPU even when off
    });
    this.client = client;
    this.tapPublishes(client);
    client.on('connect', (connack) => {
      client.options.reconnectPeriod = 1000;
      this.events.onState('connected', null);
      if (!connack.sessionPresent) {
        client.subscribe(TELEMETRY_TOPIC, { qos: 1 }, (err) => {
          if (err) this.events.onState('error', `subscribe to ${TELEMETRY_TOPIC} failed: ${redactError(err.message, this.settings)}`);
        });
      }
    });
    client.on('reconnect', () => {
      // Back off: 1 s, 2 s, 4 s … up to 30 s between attempts while the broker is away.
      client.options.reconnectPeriod = Math.min((client.options.reconnectPeriod ?? 1000) * 2, 30_000);
      this.events.onState('reconnecting', null);
    });
    client.on('offline', () => this.events.onState('offline', null));
    client.on('error', (err) => this.events.onState('error', redactError(err.message, this.settings)));
    client.connect();
  }

  /**
   * Telemetry bypasses mqtt.js's packet handling: every connection mqtt.js opens (the first and each
   * reconnect) is wrapped in a PublishTap, which hands QoS 0/1 messages to the ingestor and writes the
   * PUBACK itself once the ingestor says the message is committed. A dropped connection's unacknowledged
   * messages are redelivered by the broker (persistent session) and stored once. Relies on mqtt.js 5's
   * `streamBuilder` field (private in its types); test/subscriber-acks.test.ts and the ingest tests guard it.
   */
  private tapPublishes(client: MqttClient): void {
    const internals = client as unknown as { streamBuilder: StreamBuilder };
    const build = internals.streamBuilder;
    const consumer: TapConsumer = {
      onPublish: (tap, topic, payload, messageId) => {
        this.events.onMessage(topic, payload, messageId === null ? noAck : () => tap.ack(messageId));
        // a full ingest queue: stop reading this connection until it drains (TCP pushes back on the broker)
        const wait = this.events.backpressure?.();
        if (wait) {
          tap.holdInput();
          void wait.then(() => tap.resumeInput());
        }
      },
    };
    internals.streamBuilder = (c, opts) => new PublishTap(build(c, opts) as Duplex, consumer);
    // Only QoS 2 deliveries still reach mqtt.js (we subscribe at QoS 1, so a broker sends none): handed on
    // as they are, acknowledged by mqtt.js's own QoS 2 exchange.
    client.handleMessage = (packet, callback) => {
      if (packet.cmd === 'publish') this.events.onMessage(packet.topic, packet.payload as Buffer, noAck);
      callback();
    };
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true);
  }
}
