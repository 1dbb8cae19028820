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

  it('plays drivers taking jobs: received, most accepted (some turned down), driven to each stop in order, stop done; texts read and sometimes answered', () => {
    const start = Date.UTC(2026, 11, 2, 8);
    const f = new DemoFleet({ vehicles: 20, seed: 5, startMs: start });
    f.advance(start + 5000);
    const stopsOf = (i: number) => [offsetStop(i, 0), offsetStop(i, 1)];
    function offsetStop(i: number, k: number) {
      return { seq: k + 1, kind: 'dropoff', lat: CITY_CENTER.lat + ((i % 5) - 2) * 0.008 + k * 0.004, lon: CITY_CENTER.lon + (Math.floor(i / 5) - 2) * 0.012 - k * 0.006, radius_m: 150 };
    }
    const stops = Array.from({ length: 20 }, (_, i) => stopsOf(i));
    for (let i = 0; i < 20; i++) f.receive(`fleet/${f.vehicles[i]!.id}/jobs`, JSON.stringify({ type: 'job', job_id: 100 + i, stops: stopsOf(i) }));
    f.receive(`fleet/${f.vehicles[0]!.id}/messages`, JSON.stringify({ type: 'message', message_id: 7, text: 'hi', replies: ['OK'] }));
    const out: { topic: string; body: Record<string, unknown> }[] = [];
    const closest = new Map<string, number>(); // job:seq → nearest approach (m)
    const last = new Map<string, { lat: number; lon: number }>();
    let maxStepM = 0;
    for (let t = 1; t <= 3 * 3600; t++) {
      f.advance(start + 5000 + t * 1000);
      for (const m of f.telemetry()) {
        const prev = last.get(m.vehicle_id);
        if (prev) maxStepM = Math.max(maxStepM, distanceM(prev, m));
        last.set(m.vehicle_id, { lat: m.lat, lon: m.lon });
        const i = Number(m.vehicle_id.slice(3)) - 1;
        for (const s of stops[i]!) {
          const k = `${100 + i}:${s.seq}`;
          closest.set(k, Math.min(closest.get(k) ?? Infinity, distanceM(s, m)));
        }
      }
      out.push(...f.takeOutgoing(start + 5000 + t * 1000));
    }
    expect(maxStepM).toBeLessThan(40); // never a jump, also to and from a stop off the street grid
    const answers = (status: string) => out.filter((o) => o.topic.endsWith('/jobs/ack') && o.body['status'] === status);
    expect(answers('received')).toHaveLength(20);
    const accepted = answers('accepted').map((o) => o.body['job_id'] as number);
    const rejected = answers('rejected').map((o) => o.body['job_id'] as number);
    expect(accepted.length + rejected.length).toBe(20);
    expect(accepted.length).toBeGreaterThanOrEqual(14);
    for (const id of accepted) {
      const done = answers('stop_done').filter((o) => o.body['job_id'] === id).map((o) => o.body['stop']);
      expect(done, `job ${id}`).toEqual([1, 2]);
      expect(closest.get(`${id}:1`)).toBeLessThan(30);
      expect(closest.get(`${id}:2`)).toBeLessThan(30);
    }
    const receipts = out.filter((o) => o.topic.endsWith('/messages/up')).map((o) => o.body['status'] ?? o.body['type']);
    expect(receipts.slice(0, 2)).toEqual(['delivered', 'read']);
  });

  it('a driver whose stop the dispatcher settled goes on to the next one', () => {
    const start = Date.UTC(2026, 11, 2, 8);
    const f = new DemoFleet({ vehicles: 3, seed: 2, startMs: start });
    let clock = start + 1000;
    const tick = () => (f.advance((clock += 1000)), clock);
    f.advance(clock);
    const v = f.vehicles[0]!;
    const stops = [
      { seq: 1, kind: 'pickup', lat: CITY_CENTER.lat + 0.01, lon: CITY_CENTER.lon, radius_m: 150 },
      { seq: 2, kind: 'dropoff', lat: CITY_CENTER.lat - 0.004, lon: CITY_CENTER.lon + 0.006, radius_m: 150 },
    ];
    // offered until one driver takes it (one in ten turns a job down)
    let jobId = 500;
    const out: { topic: string; body: Record<string, unknown> }[] = [];
    for (; jobId < 520; jobId++) {
      f.receive(`fleet/${v.id}/jobs`, JSON.stringify({ type: 'job', job_id: jobId, stops }));
      for (let t = 1; t <= 40; t++) out.push(...f.takeOutgoing(tick()));
      if (out.some((o) => o.body['job_id'] === jobId && o.body['status'] === 'accepted')) break;
    }
    f.receive(`fleet/${v.id}/jobs`, JSON.stringify({ type: 'stop_settled', job_id: jobId, stop: 1, status: 'failed', reason: 'closed' }));
    for (let t = 1; t <= 3600; t++) out.push(...f.takeOutgoing(tick()));
    // it skipped the settled stop and finished the other
    const done = out.filter((o) => o.body['job_id'] === jobId && o.body['status'] === 'stop_done').map((o) => o.body['stop']);
    expect(done).toEqual([2]);
  });
});
