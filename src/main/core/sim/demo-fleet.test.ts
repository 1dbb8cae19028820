import { describe, expect, it } from 'vitest';
import { validateTelemetry } from '../telemetry/validate';
import { validateFenceGeometry } from '../geofence/geometry';
import { distanceM } from '../geo/distance';
import { CITY_CENTER, DemoFleet } from './demo-fleet';

describe('DemoFleet', () => {
  it('is deterministic for a seed', () => {
    const run = () => {
      const f = new DemoFleet({ vehicles: 10, seed: 3, startMs: 0 });
      f.advance(120_000);
      return f.telemetry().map((t) => [t.lat, t.lon, t.speed_kmh]);
    };
    expect(run()).toEqual(run());
  });

  it('drives plausibly: valid reports, inside the city, at city speeds, distance matching the odometer', () => {
    const start = Date.UTC(2026, 10, 23, 8);
    const f = new DemoFleet({ vehicles: 50, seed: 1, startMs: start });
    const before = f.telemetry();
    let maxSpeed = 0;
    for (let t = 1; t <= 600; t++) {
      f.advance(start + t * 1000);
      for (const msg of f.telemetry()) {
        const r = validateTelemetry(JSON.stringify(msg), msg.vehicle_id);
        expect(r.ok, !r.ok ? r.reason : '').toBe(true);
        expect(distanceM(CITY_CENTER, msg)).toBeLessThan(6000);
        maxSpeed = Math.max(maxSpeed, msg.speed_kmh!);
      }
    }
    const after = f.telemetry();
    expect(maxSpeed).toBeGreaterThan(30);
    expect(maxSpeed).toBeLessThanOrEqual(80); // rough drivers exceed 50 km/h limits, nobody drives like on a motorway
    const drivenKm = after.reduce((s, m, i) => s + m.odometer_km! - before[i]!.odometer_km!, 0);
    expect(drivenKm / 50).toBeGreaterThan(1); // ten minutes in town
    expect(drivenKm / 50).toBeLessThan(10);
  });

  it('offers valid demo geofences', () => {
    for (const g of new DemoFleet({ vehicles: 1, startMs: 0 }).demoGeofences()) expect(validateFenceGeometry(g.geometry)).toBeNull();
  });
});
