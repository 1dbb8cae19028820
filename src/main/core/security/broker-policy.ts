// Who may connect to the embedded broker and what each may publish or subscribe to. Pure; no I/O.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { VEHICLE_ID_PATTERN, vehicleIdFromTopic } from '../telemetry/validate';

/** FleetDesk's own clients (its subscriber, the demo fleet) log in with this name and a per-run secret. */
export const INTERNAL_USERNAME = 'fleetdesk-internal';

const SCRYPT_N = 16_384; // CPU/memory cost; ~30 ms per check here, paid once per connection
const KEY_LEN = 32; // bytes

/** Secrets are stored as `scrypt$N$salt$hash` (hex): never in clear text. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, KEY_LEN, { N: SCRYPT_N });
  return `scrypt$${SCRYPT_N}$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const [kind, n, saltHex, hashHex] = stored.split('$');
  if (kind !== 'scrypt' || !n || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = scryptSync(secret, Buffer.from(saltHex, 'hex'), expected.length, { N: Number(n) });
  return timingSafeEqual(actual, expected);
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

export function authenticate(sec: BrokerSecurity, username: string | undefined, password: Buffer | undefined): AuthResult {
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
  if ((own && verifySecret(secret, own)) || (sec.fleetTokenHash && verifySecret(secret, sec.fleetTokenHash))) {
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
