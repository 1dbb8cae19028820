// The embedded MQTT broker (aedes) for offline depots and the demo: loopback by default, credentials
// and per-vehicle topic ACLs from the broker policy, optional TLS listener with the user's certificate.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { listen } from './listen';
import { authenticate, canPublish, canSubscribe, type BrokerSecurity, type Identity } from '../core/security/broker-policy';

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
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const r = authenticate(options.security(), username, password);
      if (r.ok) {
        identities.set(client, r.identity);
        return done(null, true);
      }
      const err = new Error(r.reason === 'bad_credentials' ? 'bad user name or password' : 'not authorized') as AuthenticateError;
      err.returnCode = r.reason === 'bad_credentials' ? 4 : 5;
      done(err, false);
    },
    authorizePublish: (client, packet, callback) => {
      if (!client) return callback(null); // the broker's own messages
      const id = identities.get(client);
      callback(id && canPublish(id, packet.topic) ? null : new Error(`not allowed to publish to ${packet.topic}`));
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
    const plain = net.createServer(broker.handle);
    servers.push(plain);
    const wanted = options.port ?? 1883;
    port = await listen(plain, wanted, host, () => new PortInUseError(host, wanted));
    if (options.tls) {
      const secure = tls.createServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, broker.handle);
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
