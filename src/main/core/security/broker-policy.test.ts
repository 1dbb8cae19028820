import { describe, expect, it } from 'vitest';
import { authenticate as authenticateWith, canPublish, canSubscribe, hashSecret, INTERNAL_USERNAME, VerifiedSecrets, verifySecret, verifySecretAsync, type BrokerSecurity } from './broker-policy';

const sec = (over: Partial<BrokerSecurity> = {}): BrokerSecurity => ({
  allowAnonymous: false,
  fleetTokenHash: null,
  vehicleSecretHash: (id) => (id === 'VAN-1' ? VAN1 : null),
  internalSecret: 'internal-secret',
  ...over,
});
const VAN1 = hashSecret('van-one-secret');
const pw = (s: string) => Buffer.from(s);
const authenticate = (sec: BrokerSecurity, user: string | undefined, password: Buffer | undefined) => authenticateWith(sec, user, password, new VerifiedSecrets());

describe('broker policy', () => {
  it('stores secrets as salted scrypt hashes and verifies them', () => {
    expect(VAN1).toMatch(/^scrypt\$16384\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(VAN1).not.toContain('van-one-secret');
    expect(verifySecret('van-one-secret', VAN1)).toBe(true);
    expect(verifySecret('van-one-secreT', VAN1)).toBe(false);
    expect(hashSecret('x')).not.toBe(hashSecret('x'));
  });

  it('lets a vehicle in with its own secret or the fleet token, and refuses a wrong password', async () => {
    expect(await authenticate(sec(), 'VAN-1', pw('van-one-secret'))).toEqual({ ok: true, identity: { kind: 'vehicle', vehicleId: 'VAN-1' } });
    expect(await authenticate(sec(), 'VAN-1', pw('guess'))).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(await authenticate(sec(), 'VAN-2', pw('van-one-secret'))).toEqual({ ok: false, reason: 'bad_credentials' });
    const withToken = sec({ fleetTokenHash: hashSecret('fleet-token') });
    expect(await authenticate(withToken, 'VAN-2', pw('fleet-token'))).toEqual({ ok: true, identity: { kind: 'vehicle', vehicleId: 'VAN-2' } });
  });

  it('refuses anonymous clients unless anonymous access is enabled', async () => {
    expect(await authenticate(sec(), undefined, undefined)).toEqual({ ok: false, reason: 'not_authorized' });
    expect(await authenticate(sec({ allowAnonymous: true }), undefined, undefined)).toEqual({ ok: true, identity: { kind: 'anonymous' } });
  });

  it('knows FleetDesk’s own clients only by the per-run internal secret', async () => {
    expect((await authenticate(sec(), INTERNAL_USERNAME, pw('internal-secret'))).ok).toBe(true);
    expect((await authenticate(sec(), INTERNAL_USERNAME, pw('internal-secreT'))).ok).toBe(false);
  });

  it('checks secrets off the calling thread: the event loop turns while twenty logins are verified', async () => {
    const verified = new VerifiedSecrets();
    const order: string[] = [];
    const logins = Array.from({ length: 20 }, () => verifySecretAsync('van-one-secret', VAN1).then((ok) => order.push(ok ? 'ok' : 'refused')));
    setImmediate(() => order.push('loop turned'));
    await Promise.all(logins);
    expect(order[0]).toBe('loop turned');
    expect(order.filter((x) => x === 'ok')).toHaveLength(20);
    expect(await verified.verify('van-one-secreT', VAN1)).toBe(false);
  });

  it('recognises a secret that already verified without scrypt, and never a stale or wrong one', async () => {
    const verified = new VerifiedSecrets();
    const token = hashSecret('fleet-token');
    const s = sec({ fleetTokenHash: token });
    // a reconnect storm: 50 vehicles on the fleet token, then all of them again
    for (let round = 0; round < 2; round++) {
      for (let v = 0; v < 50; v++) expect((await authenticateWith(s, `VAN-${v + 100}`, pw('fleet-token'), verified)).ok).toBe(true);
    }
    expect(verified.checks).toBe(1);
    // wrong guesses are never remembered: each costs a full check
    for (let k = 0; k < 3; k++) expect((await authenticateWith(s, 'VAN-100', pw('fleet-tokeN'), verified)).ok).toBe(false);
    expect(verified.checks).toBe(4);
    // a new token: the old one is refused at once, although it verified a moment ago
    const rotated = sec({ fleetTokenHash: hashSecret('new-token') });
    expect((await authenticateWith(rotated, 'VAN-100', pw('fleet-token'), verified)).ok).toBe(false);
    expect((await authenticateWith(rotated, 'VAN-100', pw('new-token'), verified)).ok).toBe(true);
  });

  it('lets a vehicle publish and subscribe only under its own topic', () => {
    const van = { kind: 'vehicle' as const, vehicleId: 'VAN-1' };
    expect(canPublish(van, 'fleet/VAN-1/telemetry')).toBe(true);
    expect(canPublish(van, 'fleet/VAN-2/telemetry')).toBe(false);
    expect(canPublish(van, 'fleet/VAN-1x/telemetry')).toBe(false);
    expect(canSubscribe(van, 'fleet/VAN-1/commands')).toBe(true);
    expect(canSubscribe(van, 'fleet/+/telemetry')).toBe(false);
    expect(canSubscribe(van, '#')).toBe(false);
    expect(canSubscribe({ kind: 'anonymous' }, 'fleet/+/telemetry')).toBe(false);
    expect(canSubscribe({ kind: 'internal' }, 'fleet/+/telemetry')).toBe(true);
  });
});
