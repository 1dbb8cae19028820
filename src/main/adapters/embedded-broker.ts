// The embedded MQTT broker (aedes) for offline depots and the demo: loopback by default, credentials
// and per-vehicle topic ACLs from the broker policy, optional TLS listener with the user's certificate.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { listen } from './listen';
import { PendingPubacks, type AckOutput } from './puback';
import { authenticate, canPublish, canSubscribe, VerifiedSecrets, type BrokerSecurity, type Identity } from '../core/security/broker-policy';

export interface EmbeddedBroker {
  host: string;
  port: number;
  url: string;
  tlsUrl: string | null;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  port?: number; // default 1883; 0 = any free port
  host?: string; // default 127.0.0.1; 0.0.0.0 or a LAN address to serve vehicles on the depot network
  /** Consulted on every connection, so changes in the UI apply at once. */
  security: () => BrokerSecurity;
  tls?: { port: number; certFile: string; keyFile: string };
  /**
   * Takes each authorised telemetry publish (`fleet/<id>/telemetry`); `done` once it is committed. Only
   * then does the vehicle get its PUBACK (QoS 1: written by FleetDesk, see ackAfterCommit; QoS 2: PUBREC from
   * aedes), and the broker keeps no copy of its own: FleetDesk's database is the store, so a crash of
   * this process loses nothing the vehicle was told is safe.
   */
  ingest?: (topic: string, payload: Buffer, done: () => void) => void;
  /** A promise while the ingest queue is full: the publishing connection is not read until it resolves. */
  ingestBackpressure?: () => Promise<void> | null;
}

/** `fleet/<id>/telemetry`, the topic FleetDesk subscribes to on an external broker. */
function isTelemetryTopic(topic: string): boolean {
  // exactly three levels (the middle one may be empty), without splitting the topic of every publish
  return topic.startsWith('fleet/') && topic.endsWith('/telemetry') && topic.indexOf('/', 6) === topic.length - 10;
}

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `Port ${port} on ${host} is already in use, so the embedded MQTT broker cannot start. ` +
        `Another broker may be running: stop it, choose another port (--embedded-broker-port), ` +
        `or connect to it instead (--broker mqtt://${host}:${port}).`,
    );
    this.name = 'PortInUseError';
  }
}

const identities = new WeakMap<Client, Identity>();

/** aedes' Client stops and restarts reading its connection with these (lib/client.js; not in its typings). */
interface Pausable {
  pause(): void;
  resume(): void;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const verified = new VerifiedSecrets();
  // PUBACKs that FleetDesk sends itself once a commit made the publishes safe. One commit releases many
  // of a connection's acknowledgements at once; they leave in one socket write, in the order the
  // publishes arrived (the ingestor acknowledges in arrival order).
  const acks = new WeakMap<Client, PendingPubacks>();
  const ackAfterCommit = (client: Client, messageId: number) => {
    let pending = acks.get(client);
    if (!pending) acks.set(client, (pending = new PendingPubacks(client.conn as unknown as AckOutput)));
    pending.add(messageId);
  };
  const paused = new WeakSet<Client>();
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      authenticate(options.security(), username, password, verified).then(
        (r) => {
          if (r.ok) {
            identities.set(client, r.identity);
            return done(null, true);
          }
          const err = new Error(r.reason === 'bad_credentials' ? 'bad user name or password' : 'not authorized') as AuthenticateError;
          err.returnCode = r.reason === 'bad_credentials' ? 4 : 5;
          done(err, false);
        },
        (e: Error) => {
          const err = new Error(`could not check credentials: ${e.message}`) as AuthenticateError;
          err.returnCode = 3; // server unavailable
          done(err, false);
        },
      );
    },
    authorizePublish: (client, packet, callback) => {
      if (!client) return callback(null); // the broker's own messages
      const id = identities.get(client);
      if (!id || !canPublish(id, packet.topic)) return callback(new Error(`not allowed to publish to ${packet.topic}`));
      if (options.ingest && isTelemetryTopic(packet.topic)) {
        const ingest = options.ingest;
        if (packet.qos === 0) {
          ingest(packet.topic, packet.payload as Buffer, () => undefined); // nothing to acknowledge
          return callback(null);
        }
        if (packet.qos === 2) {
          // rare for telemetry: aedes sends PUBREC after this callback, so only after the commit
          ingest(packet.topic, packet.payload as Buffer, () => callback(null));
          return;
        }
        // FleetDesk acknowledges this publish itself, after the commit; aedes goes on reading the
        // connection at once instead of waiting for the commit (a connection's next chunk is read only
        // when every publish of the last one is authorised), and sends no PUBACK of its own for it.
        const messageId = packet.messageId!;
        packet.qos = 0;
        ingest(packet.topic, packet.payload as Buffer, () => ackAfterCommit(client, messageId));
        // a full ingest queue stops the broker reading this connection until it drains: memory stays bounded
        const drained = options.ingestBackpressure?.();
        if (drained && !paused.has(client)) {
          paused.add(client);
          (client as unknown as Pausable).pause();
          const resume = () => {
            paused.delete(client);
            if (!client.closed) (client as unknown as Pausable).resume();
          };
          drained.then(resume, resume);
        }
        callback(null);
      } else callback(null);
    },
    authorizeSubscribe: (client, sub, callback) => {
      const id = identities.get(client);
      callback(null, id && canSubscribe(id, sub.topic) ? sub : null);
    },
  });
  const servers: net.Server[] = [];
  let port = 0;
  let tlsUrl: string | null = null;
  try {
    // a larger read buffer lets a busy connection hand over more packets per commit
    const plain = net.createServer({ highWaterMark: 256 * 1024 }, broker.handle);
    servers.push(plain);
    const wanted = options.port ?? 1883;
    port = await listen(plain, wanted, host, () => new PortInUseError(host, wanted));
    if (options.tls) {
      const secure = tls.createServer({ highWaterMark: 256 * 1024, cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, broker.handle);
      servers.push(secure);
      const tlsPort = await listen(secure, options.tls.port, host, () => new PortInUseError(host, options.tls!.port));
      tlsUrl = `mqtts://${host}:${tlsPort}`;
    }
  } catch (err) {
    for (const s of servers) s.close();
    broker.close();
    throw err;
  }
  return {
    host,
    port,
    url: `mqtt://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    tlsUrl,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => {
          let open = servers.length;
          if (open === 0) resolve();
          for (const s of servers) s.close(() => --open === 0 && resolve());
        });
      }),
  };
}
