// The embedded MQTT broker (aedes) for offline depots and the demo: loopback by default, credentials
// and per-vehicle topic ACLs from the broker policy, optional TLS listener with the user's certificate.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { listen } from './listen';
import { PendingPubacks, type AckOutput } from './puback';
import { authenticate, BusyError, canPublish, canSubscribe, clientIdAllowed, VerifiedSecrets, type BrokerSecurity, type Identity } from '../core/security/broker-policy';
import { LoginGuard, type RefusalReason } from '../core/security/login-guard';

export interface EmbeddedBroker {
  /** Refused logins and publishes (by reason, the last ones, per vehicle) and the lock-outs. */
  guard: LoginGuard;
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
  log?: (line: string) => void;
  /** Largest MQTT packet a client may send before it has logged in (a CONNECT is small). */
  maxPacketBytesBeforeLogin?: number; // default 64 KiB
  /** Largest MQTT packet any client may send (telemetry payloads are ≤ 16 KiB). */
  maxPacketBytes?: number; // default 256 KiB
  /** Throttling and record of failed logins, shared with the OsmAnd listener. */
  loginGuard?: LoginGuard;
  /** Secrets that verified, shared with the OsmAnd listener. */
  verified?: VerifiedSecrets;
  /** A vehicle's device acknowledged (PUBACK) a message FleetDesk sent it: it has it. */
  deviceAcked?: (vehicleId: string, topic: string, payload: Buffer) => void;
  /** A vehicle's device subscribed (it is listening for what FleetDesk sends it). */
  deviceSubscribed?: (vehicleId: string, filters: string[]) => void;
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

/**
 * aedes' Client reads its connection through an mqtt-packet Parser (lib/client.js `_parser`, not in its
 * typings) whose `packet.length` is the declared length of the packet being read, known from its first
 * bytes. aedes has no packet size limit: without this a client could declare 256 MB and have it buffered.
 */
interface ParsingClient {
  _parser: { parse(buf: Buffer): number; packet: { length: number } };
}

/** The vehicle a client logged in as ('' for anonymous, internal or not yet logged in), for refusals. */
const vehicleOf = (identity: Identity | undefined) => (identity?.kind === 'vehicle' ? identity.vehicleId : '');

const remoteAddress = (client: Client) => (client.conn as unknown as { remoteAddress?: string }).remoteAddress ?? 'unknown';

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const verified = options.verified ?? new VerifiedSecrets();
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
  // a full ingest queue stops the broker reading this connection until it drains: memory stays bounded,
  // whatever the QoS (a QoS 0 flood has no acknowledgements to slow it down)
  const holdIfFull = (client: Client) => {
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
  };
  const guard = options.loginGuard ?? new LoginGuard();
  const log = options.log ?? (() => {});
  const refuse = (client: Client | null, reason: RefusalReason, username: string, detail?: string) =>
    guard.record({ atMs: Date.now(), reason, username, address: client ? remoteAddress(client) : 'unknown', detail });
  const refusedLogin = (done: (err: AuthenticateError | null, ok: boolean) => void, returnCode: number, text: string) => {
    const err = new Error(text) as AuthenticateError;
    err.returnCode = returnCode as AuthenticateError['returnCode'];
    done(err, false);
  };
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const user = username ?? '';
      const address = remoteAddress(client);
      const sec = options.security();
      const locked = guard.locked(user, address, Date.now());
      authenticate(sec, username, password, verified, locked).then(
        (r) => {
          if (r.ok && !clientIdAllowed(r.identity, client.id, client.clean, sec)) {
            refuse(client, 'client id not owned', user, client.id);
            return refusedLogin(done, 2, `client id ${client.id} does not belong to ${user || 'an anonymous client'}`); // identifier rejected
          }
          if (r.ok) {
            guard.succeeded(user);
            identities.set(client, r.identity);
            return done(null, true);
          }
          if (locked) {
            refuse(client, 'throttled', user);
            return refusedLogin(done, 5, 'too many failed logins; try again later');
          }
          refuse(client, r.reason === 'bad_credentials' ? 'bad credentials' : 'not authorized', user);
          if (r.reason === 'bad_credentials') {
            for (const key of guard.failed(user, address, Date.now())) log(`broker: too many failed logins for ${key}; locked for a while`);
          }
          refusedLogin(done, r.reason === 'bad_credentials' ? 4 : 5, r.reason === 'bad_credentials' ? 'bad user name or password' : 'not authorized');
        },
        (e: Error) => {
          if (e instanceof BusyError) refuse(client, 'server busy', user);
          refusedLogin(done, 3, `could not check credentials: ${e.message}`); // server unavailable
        },
      );
    },
    authorizePublish: (client, packet, callback) => {
      if (!client) return callback(null); // the broker's own messages
      const id = identities.get(client);
      if (!id || !canPublish(id, packet.topic)) {
        refuse(client, 'publish not allowed', vehicleOf(id), packet.topic.slice(0, 200));
        return callback(new Error(`not allowed to publish to ${packet.topic}`));
      }
      if (options.ingest && isTelemetryTopic(packet.topic)) {
        const ingest = options.ingest;
        if (packet.qos === 0) {
          ingest(packet.topic, packet.payload as Buffer, () => undefined); // nothing to acknowledge
          holdIfFull(client);
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
        holdIfFull(client);
        callback(null);
      } else callback(null);
    },
    authorizeSubscribe: (client, sub, callback) => {
      const id = identities.get(client);
      callback(null, id && canSubscribe(id, sub.topic) ? sub : null);
    },
  });
  broker.on('ack', (packet, client) => {
    const id = client ? identities.get(client) : undefined;
    if (id?.kind === 'vehicle' && packet.cmd === 'publish') options.deviceAcked?.(id.vehicleId, packet.topic, packet.payload as Buffer);
  });
  broker.on('subscribe', (subs, client) => {
    const id = client ? identities.get(client) : undefined;
    if (id?.kind === 'vehicle') options.deviceSubscribed?.(id.vehicleId, subs.map((s) => s.topic));
  });
  const maxBefore = options.maxPacketBytesBeforeLogin ?? 64 * 1024;
  const maxAfter = options.maxPacketBytes ?? 256 * 1024;
  const handle = (conn: net.Socket) => {
    broker.handle(conn);
    const client = (conn as unknown as { client?: Client }).client;
    if (!client) return;
    const parser = (client as unknown as ParsingClient)._parser;
    const parse = parser.parse.bind(parser);
    parser.parse = (buf: Buffer) => {
      const left = parse(buf);
      const limit = identities.has(client) ? maxAfter : maxBefore;
      if (parser.packet.length > limit) {
        refuse(client, 'packet too large', vehicleOf(identities.get(client)), `${parser.packet.length} bytes declared, at most ${limit}`);
        conn.destroy();
        return 0;
      }
      return left;
    };
  };
  const servers: net.Server[] = [];
  let port = 0;
  let tlsUrl: string | null = null;
  try {
    // a larger read buffer lets a busy connection hand over more packets per commit
    const plain = net.createServer({ highWaterMark: 256 * 1024 }, handle);
    servers.push(plain);
    const wanted = options.port ?? 1883;
    port = await listen(plain, wanted, host, () => new PortInUseError(host, wanted));
    if (options.tls) {
      const secure = tls.createServer({ highWaterMark: 256 * 1024, cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, handle);
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
    guard,
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
