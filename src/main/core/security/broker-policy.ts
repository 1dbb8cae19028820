// Who may connect to the embedded broker and what each may publish or subscribe to. Pure; no I/O.
import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { VEHICLE_ID_PATTERN, vehicleIdFromTopic } from '../telemetry/validate';

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

  constructor(private readonly maxEntries = 100_000) {}

  private digest(secret: string): Buffer {
    return createHmac('sha256', this.key).update(secret).digest();
  }

  async verify(secret: string, stored: string): Promise<boolean> {
    const d = this.digest(secret);
    const seen = this.known.get(stored);
    if (seen && timingSafeEqual(seen, d)) return true;
    this.checks++;
    const ok = await verifySecretAsync(secret, stored);
    if (ok) {
      if (this.known.size >= this.maxEntries) this.known.clear();
      this.known.set(stored, d);
    }
    return ok;
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
}

export type AuthResult = { ok: true; identity: Identity } | { ok: false; reason: 'bad_credentials' | 'not_authorized' };

/**
 * Who is connecting. Asynchronous: a vehicle's secret is checked with scrypt (~30 ms of CPU) on the
 * thread pool, never on the thread that commits telemetry, and a secret that already verified is
 * recognised without scrypt (see VerifiedSecrets).
 */
export async function authenticate(sec: BrokerSecurity, username: string | undefined, password: Buffer | undefined, verified: VerifiedSecrets): Promise<AuthResult> {
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
  if ((own && (await verified.verify(secret, own))) || (sec.fleetTokenHash && (await verified.verify(secret, sec.fleetTokenHash)))) {
    return { ok: true, identity: { kind: 'vehicle', vehicleId: username } };
  }
  return { ok: false, reason: 'bad_credentials' };
}

/** A vehicle publishes only under fleet/<its id>/…; anonymous clients (when allowed) only to fleet/<id>/telemetry. */
export function canPublish(identity: Identity, topic: string): boolean {
  if (identity.kind === 'internal') return true;
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
