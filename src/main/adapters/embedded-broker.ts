// The embedded MQTT broker (aedes) for offline depots and the demo: loopback by default, credentials
// and per-vehicle topic ACLs from the broker policy, optional TLS listener with the user's certificate.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { corkUntilNextTick, type Corkable } from './cork';
import { listen } from './listen';
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
   * Takes each authorised telemetry publish (`fleet/<id>/telemetry`) before the broker acknowledges it;
   * `done` once it is committed. aedes sends a QoS 1 PUBACK only after this, and keeps no copy of its own:
   * FleetDesk's database is the store, so a crash of this process loses nothing the vehicle was told is safe.
   */
  ingest?: (topic: string, payload: Buffer, done: () => void) => void;
}

/** `fleet/<id>/telemetry`, the topic FleetDesk subscribes to on an external broker. */
function isTelemetryTopic(topic: string): boolean {
  return topic.startsWith('fleet/') && topic.endsWith('/telemetry') && topic.split('/').length === 3;
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

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const verified = new VerifiedSecrets();
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
        options.ingest(packet.topic, packet.payload as Buffer, () => {
          // a commit releases many of this vehicle's PUBACKs at once: one socket write instead of one each
          corkUntilNextTick(client.conn as unknown as Corkable);
          callback(null);
        });
      }
      else callback(null);
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
