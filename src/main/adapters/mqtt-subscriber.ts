// Subscribes to fleet telemetry on any MQTT broker (mqtt.js) and reports its connection state.
import { createHash } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { BrokerConnectionState } from '../../shared/types';
import { pubackBytes } from './puback';

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

export function clientIdFor(seed: string): string {
  return `fleetdesk-${createHash('sha1').update(seed).digest('hex').slice(0, 12)}`;
}

export interface SubscriberEvents {
  onState(state: BrokerConnectionState, error: string | null): void;
  /** One message; call `ack` once it is safely stored. */
  onMessage(topic: string, payload: Buffer, ack: () => void): void;
  /** A promise while the consumer is full: reading from the broker pauses until it resolves. */
  backpressure?(): Promise<void> | null;
}

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
    const url = new URL(this.settings.url);
    const username = this.settings.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
    const password = this.settings.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
    url.username = '';
    url.password = '';
    this.events.onState('connecting', null);
    const client = mqtt.connect(url.toString(), {
      clientId: this.settings.clientId ?? clientIdFor(this.settings.url),
      clean: false,
      username,
      password,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: true,
      log: () => {}, // mqtt.js logs every packet through `debug`; ~2 % of ingest CPU even when off
    });
    this.client = client;
    this.deferPubacks(client);
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
  }

  /**
   * Ack after commit without stalling the stream: mqtt.js handles one packet at a time and sends the
   * PUBACK when handleMessage's callback runs. We call back at once, so it goes on parsing, and drop
   * every PUBACK mqtt.js would send: FleetDesk sends its own once the ingestor says the message is
   * committed. Unacked messages of a dropped connection are redelivered by the broker (persistent
   * session) and stored once. Relies on mqtt.js 5's private _sendPacket; the ingest tests guard it.
   */
  private deferPubacks(client: MqttClient): void {
    type Packet = { cmd: string; messageId?: number };
    type Send = (packet: Packet, cb?: () => void, ...rest: unknown[]) => void;
    const internals = client as unknown as { _sendPacket: Send };
    const send: Send = internals._sendPacket.bind(client);
    let generation = 0;
    // PUBACKs commits released, written together at the end of the tick (see flushReleased)
    let released: number[] = [];
    client.on('close', () => {
      generation++;
      released = [];
    });
    internals._sendPacket = (packet, cb, ...rest) => {
      // every PUBACK is for a QoS 1 message handed to the ingestor below, which acknowledges it itself
      if (packet.cmd === 'puback') return cb?.();
      send(packet, cb, ...rest);
    };
    // PUBACKs released by one commit leave as one buffer in one socket write. Through mqtt.js each
    // would be three small writes: under a flood the socket's queue then grew by a million entries
    // faster than Node could hand them to the kernel, and acknowledgements fell seconds behind.
    const flushReleased = () => {
      const ids = released;
      released = [];
      const stream = (client as unknown as { stream?: { destroyed?: boolean; writable?: boolean; write(b: Buffer): boolean } }).stream;
      // a connection that went away gets nothing: the broker redelivers, and storage is idempotent
      if (!stream || stream.destroyed || stream.writable === false || ids.length === 0) return;
      stream.write(pubackBytes(ids)); // (this client speaks MQTT 3.1.1)
    };
    const noAck = () => {};
    client.handleMessage = (packet, callback) => {
      if (packet.cmd !== 'publish') return callback();
      const id = packet.qos === 1 ? packet.messageId : undefined;
      const gen = generation;
      const ack =
        id === undefined
          ? noAck
          : () => {
              if (gen !== generation) return; // acknowledged on a connection that is gone
              if (released.length === 0) queueMicrotask(flushReleased);
              released.push(id);
            };
      this.events.onMessage(packet.topic, packet.payload as Buffer, ack);
      // Not calling back stops mqtt.js reading the socket: TCP pushes back on the broker.
      const wait = this.events.backpressure?.();
      if (wait) void wait.then(() => callback());
      else callback();
    };
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true);
  }
}
