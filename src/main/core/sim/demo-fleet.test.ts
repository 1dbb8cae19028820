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

  it('raises trouble codes as a real fleet does: a few vehicles a day, each cleared after some hours', () => {
    const f = new DemoFleet({ vehicles: 60, seed: 7, startMs: 0 });
    const onsets = new Set<string>();
    let cleared = 0;
    const on = new Map<string, string>();
    let afterOneHour = 0;
    for (let minute = 1; minute <= 24 * 60; minute++) {
      f.advance(minute * 60_000);
      for (const t of f.telemetry()) {
        const code = t.dtc_codes?.[0];
        if (code && !on.has(t.vehicle_id)) onsets.add(`${t.vehicle_id}@${minute}`);
        if (!code && on.has(t.vehicle_id)) cleared++;
        if (code) on.set(t.vehicle_id, code);
        else on.delete(t.vehicle_id);
      }
      if (minute === 60) afterOneHour = on.size;
    }
    // about 3 a day (0.05 per vehicle), never "most vans within the hour" as before
    expect(afterOneHour).toBeLessThanOrEqual(2);
    expect(onsets.size).toBeGreaterThanOrEqual(1);
    expect(onsets.size).toBeLessThanOrEqual(8);
    expect(cleared).toBeGreaterThanOrEqual(1);
  });

  it('offers valid demo geofences', () => {
    for (const g of new DemoFleet({ vehicles: 1, startMs: 0 }).demoGeofences()) expect(validateFenceGeometry(g.geometry)).toBeNull();
  });
});
