// Who may connect to the embedded broker and what each may publish or subscribe to. Pure; no I/O.
import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { VEHICLE_ID_PATTERN, vehicleIdFromTopic } from '../telemetry/validate';
import { Gate, type LoginGuard, type RefusalReason } from './login-guard';

/** FleetDesk's own clients (its subscriber, the demo fleet) log in with this name and a per-run secret. */
export const INTERNAL_USERNAME = 'fleetdesk-internal';

const SCRYPT_N = 16_384; // CPU/memory cost; ~30 ms per check here
const KEY_LEN = 32; // bytes

/** Secrets are stored as `scrypt$N$salt$hash` (hex): never in clear text. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, KEY_LEN, { N: SCRYPT_N });
  return `scrypt$${SCRYPT_N}$${salt.toString('hex')}$${hash.toString('hex')}`;
}

/** A stored `scrypt$N$salt$hash`, parsed; null when it is not one. */
function parseStored(stored: string): { n: number; salt: Buffer; expected: Buffer } | null {
  const [kind, n, saltHex, hashHex] = stored.split('$');
  if (kind !== 'scrypt' || !n || !saltHex || !hashHex) return null;
  return { n: Number(n), salt: Buffer.from(saltHex, 'hex'), expected: Buffer.from(hashHex, 'hex') };
}

export function verifySecret(secret: string, stored: string): boolean {
  const p = parseStored(stored);
  if (!p) return false;
  return timingSafeEqual(scryptSync(secret, p.salt, p.expected.length, { N: p.n }), p.expected);
}

/** As verifySecret, on libuv's thread pool: the calling thread goes on with its work meanwhile. */
export function verifySecretAsync(secret: string, stored: string): Promise<boolean> {
  const p = parseStored(stored);
  if (!p) return Promise.resolve(false);
  return new Promise((resolve) => {
    scrypt(secret, p.salt, p.expected.length, { N: p.n }, (err, actual) => resolve(!err && timingSafeEqual(actual, p.expected)));
  });
}

/**
 * Secrets that verified, so a vehicle that reconnects (all of them, after a network blip at the depot)
 * is not put through scrypt again: per stored hash, a keyed digest of the secret that matched it. A
 * new or changed credential has a new stored hash, so nothing stale is ever accepted. Wrong secrets are
 * never remembered: guessing costs a full scrypt each time.
 */
export class VerifiedSecrets {
  private readonly key = randomBytes(32); // per process: the digests mean nothing outside it
  private readonly known = new Map<string, Buffer>();
  /** Full scrypt checks done (for tests and diagnostics). */
  checks = 0;

  constructor(
    private readonly maxEntries = 100_000,
    /** Full scrypt checks run two at a time, 256 more wait, the rest are refused: a storm of wrong
     * secrets cannot take every core or the whole thread pool from the real vehicles. */
    private readonly gate = new Gate(2, 256),
  ) {}

  private digest(secret: string): Buffer {
    return createHmac('sha256', this.key).update(secret).digest();
  }

  /** `cachedOnly`: answer from the secrets that already verified, never run scrypt (a locked-out name). */
  async verify(secret: string, stored: string, cachedOnly = false): Promise<boolean> {
    const d = this.digest(secret);
    const seen = this.known.get(stored);
    if (seen && timingSafeEqual(seen, d)) return true;
    if (cachedOnly) return false;
    const ok = await this.gate.run(() => {
      this.checks++;
      return verifySecretAsync(secret, stored);
    });
    if (ok === null) throw new BusyError();
    if (ok) {
      if (this.known.size >= this.maxEntries) this.known.clear();
      this.known.set(stored, d);
    }
    return ok;
  }
}

/** Too many credential checks are waiting: the client should come back later. */
export class BusyError extends Error {
  constructor() {
    super('too many logins being checked; try again shortly');
  }
}

/** A new random secret, readable enough to type into a tracker's settings. */
export function newSecret(): string {
  return randomBytes(18).toString('base64url');
}

export type Identity = { kind: 'internal' } | { kind: 'vehicle'; vehicleId: string } | { kind: 'anonymous' };

export interface BrokerSecurity {
  allowAnonymous: boolean;
  /** Hash of the shared fleet token, if one is set. */
  fleetTokenHash: string | null;
  /** Per-vehicle secret hashes by vehicle id. */
  vehicleSecretHash(vehicleId: string): string | null;
  internalSecret: string;
  /** Whether FleetDesk has stored reports of this vehicle (its client ids are reserved for it). */
  knownVehicle?: (vehicleId: string) => boolean;
}

export type AuthResult = { ok: true; identity: Identity } | { ok: false; reason: 'bad_credentials' | 'not_authorized' };

/**
 * Who is connecting. Asynchronous: a vehicle's secret is checked with scrypt (~30 ms of CPU) on the
 * thread pool, never on the thread that commits telemetry, and a secret that already verified is
 * recognised without scrypt (see VerifiedSecrets).
 */
export async function authenticate(
  sec: BrokerSecurity,
  username: string | undefined,
  password: Buffer | undefined,
  verified: VerifiedSecrets,
  /** The name or address is locked out: only a secret that verified before gets in (no scrypt). */
  cachedOnly = false,
): Promise<AuthResult> {
  if (username === undefined || username === '') {
    return sec.allowAnonymous && password === undefined ? { ok: true, identity: { kind: 'anonymous' } } : { ok: false, reason: 'not_authorized' };
  }
  const secret = password?.toString('utf8') ?? '';
  if (username === INTERNAL_USERNAME) {
    const a = Buffer.from(secret);
    const b = Buffer.from(sec.internalSecret);
    return a.length === b.length && timingSafeEqual(a, b) ? { ok: true, identity: { kind: 'internal' } } : { ok: false, reason: 'bad_credentials' };
  }
  if (!VEHICLE_ID_PATTERN.test(username)) return { ok: false, reason: 'bad_credentials' };
  const own = sec.vehicleSecretHash(username);
  if ((own && (await verified.verify(secret, own, cachedOnly))) || (sec.fleetTokenHash && (await verified.verify(secret, sec.fleetTokenHash, cachedOnly)))) {
    return { ok: true, identity: { kind: 'vehicle', vehicleId: username } };
  }
  return { ok: false, reason: 'bad_credentials' };
}

/**
 * Whether a client id may be used by who logged in. The broker finds a persistent session (and the
 * messages queued in it) by client id, and a new connection under an id closes the old one; so:
 * - a persistent session (clean = false) is only ever under a vehicle's own id or `<its id>/<anything>`
 *   ('/' cannot occur in a vehicle id);
 * - nobody uses an id of that form for another vehicle FleetDesk knows (registered or seen), whatever
 *   the session: that would discard or take over its session, or kick it off;
 * - any other id (mqtt.js's random `mqttjs_…`, a tracker's IMEI) is fine for a clean session.
 */
export function clientIdAllowed(identity: Identity, clientId: string, clean: boolean, sec: BrokerSecurity): boolean {
  if (identity.kind === 'internal') return true;
  const own = identity.kind === 'vehicle' ? identity.vehicleId : null;
  if (own !== null && (clientId === own || clientId.startsWith(`${own}/`))) return true;
  const owner = clientId.split('/')[0]!;
  const someoneElses = owner !== own && VEHICLE_ID_PATTERN.test(owner) && (sec.vehicleSecretHash(owner) !== null || (sec.knownVehicle?.(owner) ?? false));
  if (someoneElses) return false;
  return clean || identity.kind === 'anonymous';
}

export type DeviceCheck = { ok: true } | { ok: false; status: 401 | 403 | 429; reason: string; refusal: RefusalReason };

/**
 * Whether an OsmAnd report for `vehicleId` may be stored. The same model as the broker: a vehicle with
 * a secret of its own (or any vehicle, when a fleet token is set) must prove it with `key`; a vehicle
 * without one is accepted only while anonymous access is on. Failures are throttled like logins.
 */
export async function checkDeviceKey(
  sec: BrokerSecurity,
  vehicleId: string,
  key: string | null,
  address: string,
  verified: VerifiedSecrets,
  guard: LoginGuard,
  nowMs: number,
): Promise<DeviceCheck> {
  const own = sec.vehicleSecretHash(vehicleId);
  if (!own && !sec.fleetTokenHash) {
    return sec.allowAnonymous
      ? { ok: true }
      : { ok: false, status: 403, refusal: 'not authorized', reason: `unknown device ${vehicleId}: register it in the Devices tab (and send its secret as key=…), or allow anonymous access` };
  }
  if (!key) {
    if (!own && sec.allowAnonymous) return { ok: true };
    return { ok: false, status: 401, refusal: 'bad credentials', reason: `${vehicleId} has a secret: send it as key=… (OsmAnd) or as the password` };
  }
  const locked = guard.locked(vehicleId, address, nowMs);
  const ok = (own && (await verified.verify(key, own, locked))) || (sec.fleetTokenHash && (await verified.verify(key, sec.fleetTokenHash, locked)));
  if (ok) {
    guard.succeeded(vehicleId);
    return { ok: true };
  }
  if (locked) return { ok: false, status: 429, refusal: 'throttled', reason: 'too many wrong keys; try again later' };
  guard.failed(vehicleId, address, nowMs);
  return { ok: false, status: 401, refusal: 'bad credentials', reason: `wrong key for ${vehicleId}` };
}

/** What FleetDesk sends a vehicle (jobs, messages): only FleetDesk publishes there. */
export function isDownlinkTopic(topic: string): boolean {
  return /^fleet\/[^/]*\/(jobs|messages)$/.test(topic);
}

/**
 * A vehicle publishes only under fleet/<its id>/…; anonymous clients (when allowed) only to fleet/<id>/…;
 * nobody but FleetDesk to a vehicle's downlink (its jobs and messages).
 */
export function canPublish(identity: Identity, topic: string): boolean {
  if (identity.kind === 'internal') return true;
  if (isDownlinkTopic(topic)) return false;
  if (identity.kind === 'vehicle') return topic.startsWith(`fleet/${identity.vehicleId}/`) && !topic.includes('+') && !topic.includes('#');
  const id = vehicleIdFromTopic(topic);
  return id !== null && VEHICLE_ID_PATTERN.test(id);
}

/** A vehicle may subscribe only to its own subtree (e.g. commands to it); never to other vehicles' topics. */
export function canSubscribe(identity: Identity, filter: string): boolean {
  if (identity.kind === 'internal') return true;
  if (identity.kind === 'vehicle') {
    const prefix = `fleet/${identity.vehicleId}/`;
    return filter.startsWith(prefix) || filter === `fleet/${identity.vehicleId}`;
  }
  return false;
}
