// Shift assignments through the real service: a tracker that sends no driver id; the driver on shift
// gets the distance and the harsh brake in the score; overlapping shifts are refused.
import { describe, expect, it } from 'vitest';
import { telemetry, waitFor } from './helpers';
import { publisher, startService } from './service-helpers';

describe('driver shifts', () => {
  it('credits a vehicle without driver ids to the driver on shift', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const t0 = Date.now() - 30 * 60_000;
    const pub = await publisher(service.brokerUrl);
    // 40 fixes at 54 km/h, 150 m apart on the odometer (5.85 km), then a 5 m/s² brake; no driver_id
    for (let i = 0; i < 40; i++) await pub.publishAsync('fleet/VAN-S/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-S', timestamp: t0 + i * 10_000, lat: 52.48, lon: -1.95 + i * 0.0022, speed_kmh: 54, odometer_km: 1000 + i * 0.15, driver_id: null })), { qos: 1 });
    for (const [k, v] of [54, 36, 18, 18].entries()) {
      await pub.publishAsync('fleet/VAN-S/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-S', timestamp: t0 + 400_000 + k * 1000, lat: 52.48, lon: -1.95 + 40 * 0.0022 + k * 0.0001, speed_kmh: v, odometer_km: 1005.86 + k * 0.007, driver_id: null })), { qos: 1 });
    }
    await waitFor(async () => (await h.listDrivingEvents({ fromMs: t0 - 1000, toMs: Date.now() })).length === 1, 'the harsh brake');
    expect((await h.getDriverScores({ fromMs: t0 - 60_000, toMs: Date.now() })).drivers).toEqual([]);

    await h.addAssignment({ vehicleId: 'VAN-S', driverId: 'DRV-SHIFT', startMs: t0 - 60_000, endMs: null });
    await expect(h.addAssignment({ vehicleId: 'VAN-S', driverId: 'DRV-OTHER', startMs: t0, endMs: t0 + 3_600_000 })).rejects.toThrow(/VAN-S already has DRV-SHIFT on shift/);
    const scores = await h.getDriverScores({ fromMs: t0 - 60_000, toMs: Date.now() });
    expect(scores.drivers).toHaveLength(1);
    expect(scores.drivers[0]).toMatchObject({ driverId: 'DRV-SHIFT', events: 1 });
    expect(scores.drivers[0]!.km).toBeGreaterThan(5.8);
    expect(await h.listDrivingEvents({ driverId: 'DRV-SHIFT', fromMs: t0 - 1000, toMs: Date.now() })).toHaveLength(1);
  });
});
