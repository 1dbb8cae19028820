import { describe, expect, it } from 'vitest';
import { authenticate, canPublish, canSubscribe, hashSecret, INTERNAL_USERNAME, verifySecret, type BrokerSecurity } from './broker-policy';

const sec = (over: Partial<BrokerSecurity> = {}): BrokerSecurity => ({
  allowAnonymous: false,
  fleetTokenHash: null,
  vehicleSecretHash: (id) => (id === 'VAN-1' ? VAN1 : null),
  internalSecret: 'internal-secret',
  ...over,
});
const VAN1 = hashSecret('van-one-secret');
const pw = (s: string) => Buffer.from(s);

describe('broker policy', () => {
  it('stores secrets as salted scrypt hashes and verifies them', () => {
    expect(VAN1).toMatch(/^scrypt\$16384\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(VAN1).not.toContain('van-one-secret');
    expect(verifySecret('van-one-secret', VAN1)).toBe(true);
    expect(verifySecret('van-one-secreT', VAN1)).toBe(false);
    expect(hashSecret('x')).not.toBe(hashSecret('x'));
  });

  it('lets a vehicle in with its own secret or the fleet token, and refuses a wrong password', () => {
    expect(authenticate(sec(), 'VAN-1', pw('van-one-secret'))).toEqual({ ok: true, identity: { kind: 'vehicle', vehicleId: 'VAN-1' } });
    expect(authenticate(sec(), 'VAN-1', pw('guess'))).toEqual({ ok: false, reason: 'bad_credentials' });
    expect(authenticate(sec(), 'VAN-2', pw('van-one-secret'))).toEqual({ ok: false, reason: 'bad_credentials' });
    const withToken = sec({ fleetTokenHash: hashSecret('fleet-token') });
    expect(authenticate(withToken, 'VAN-2', pw('fleet-token'))).toEqual({ ok: true, identity: { kind: 'vehicle', vehicleId: 'VAN-2' } });
  });

  it('refuses anonymous clients unless anonymous access is enabled', () => {
    expect(authenticate(sec(), undefined, undefined)).toEqual({ ok: false, reason: 'not_authorized' });
    expect(authenticate(sec({ allowAnonymous: true }), undefined, undefined)).toEqual({ ok: true, identity: { kind: 'anonymous' } });
  });

  it('knows FleetDesk’s own clients only by the per-run internal secret', () => {
    expect(authenticate(sec(), INTERNAL_USERNAME, pw('internal-secret')).ok).toBe(true);
    expect(authenticate(sec(), INTERNAL_USERNAME, pw('internal-secreT')).ok).toBe(false);
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
