import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';
import { tempDir } from '../../../../test/helpers';
import Database from 'better-sqlite3';
import { MIGRATIONS, Store, type IncomingPoint } from '../storage/store';
import { queryHistory, RAW_POINT_LIMIT } from './history';

const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);

const point = (over: Partial<TelemetryPoint>): TelemetryPoint => ({
  vehicleId: 'V1',
  tsMs: T0,
  lat: 52.48,
  lon: -1.89,
  speedKmh: 30,
  headingDeg: 90,
  fuelLevelPct: 50,
  engineRpm: 1500,
  odometerKm: null,
  dtcCodes: [],
  hdop: 1,
  satellites: 8,
  coolantTempC: 90,
  ignition: true,
  driverId: 'D1',
  ...over,
});
const inc = (over: Partial<TelemetryPoint>, flags: string[] = []): IncomingPoint => ({ point: point(over), flags, source: 'mqtt' });

let store: Store | null = null;
afterEach(() => store?.close());

describe('track summary', () => {
  it('keeps the last trusted point of each vehicle-minute with the minute top speed, folding late rows in', () => {
    store = new Store(path.join(tempDir(), 'h.sqlite'));
    store.telemetry.writeBatch(
      [
        inc({ tsMs: T0 + 5_000, lon: -1.1, speedKmh: 50 }),
        inc({ tsMs: T0 + 40_000, lon: -1.2, speedKmh: 20 }),
        inc({ tsMs: T0 + 50_000, lon: -1.9, speedKmh: 99 }, ['hdop']), // flagged: not in the summary
        inc({ tsMs: T0 + 65_000, lon: -1.3, speedKmh: 10 }),
        inc({ vehicleId: 'V2', tsMs: T0 + 1_000, lon: -2.0, speedKmh: 5 }),
      ],
      [],
      T0 + 70_000,
    );
    expect(store.track.summarizeAll()).toBe(5);
    expect(store.track.minuteTrack('V1', T0, T0 + 120_000)).toEqual([
      { tsMs: T0 + 40_000, lat: 52.48, lon: -1.2, speedKmh: 20, maxSpeedKmh: 50, odometerKm: null, n: 2, driverId: 'D1' },
      { tsMs: T0 + 65_000, lat: 52.48, lon: -1.3, speedKmh: 10, maxSpeedKmh: 10, odometerKm: null, n: 1, driverId: 'D1' },
    ]);
    // a late row for the first minute, newer than what the summary holds, and one older than it
    store.telemetry.writeBatch([inc({ tsMs: T0 + 55_000, lon: -1.25, speedKmh: 70 }), inc({ tsMs: T0 + 1_000, lon: -1.0, speedKmh: 5 })], [], T0 + 200_000);
    expect(store.track.summarizeAll()).toBe(2);
    expect(store.track.summarizeAll()).toBe(0);
    expect(store.track.minuteTrack('V1', T0, T0 + 60_000)).toEqual([{ tsMs: T0 + 55_000, lat: 52.48, lon: -1.25, speedKmh: 70, maxSpeedKmh: 70, odometerKm: null, n: 4, driverId: 'D1' }]);
  });
});

describe('hour packing', () => {
  it('reads an hour not yet packed from its minutes, and the same after packing', () => {
    store = new Store(path.join(tempDir(), 'h.sqlite'));
    store.telemetry.writeBatch([inc({ tsMs: T0 + 5_000, lon: -1.1 }), inc({ tsMs: T0 + 65_000, lon: -1.2 }), inc({ tsMs: T0 + 3_605_000, lon: -1.3 })], [], T0);
    while (store.track.summarize() > 0);
    const before = store.track.minuteTrack('V1', T0, T0 + 7_200_000);
    expect(before.map((m) => m.lon)).toEqual([-1.1, -1.2, -1.3]);
    // only hours before the cut are packed; the rest stay readable from their minutes
    expect(store.track.packDirtyHours(T0 + 3_600_000)).toBe(1);
    expect(store.track.minuteTrack('V1', T0, T0 + 7_200_000)).toEqual(before);
    expect(store.track.packDirtyHours(Number.POSITIVE_INFINITY)).toBe(1);
    expect(store.track.packDirtyHours(Number.POSITIVE_INFINITY)).toBe(0);
    expect(store.track.minuteTrack('V1', T0, T0 + 7_200_000)).toEqual(before);
    // a late row re-opens its hour
    store.telemetry.writeBatch([inc({ tsMs: T0 + 30_000, lon: -1.15 })], [], T0);
    while (store.track.summarize() > 0);
    expect(store.track.minuteTrack('V1', T0, T0 + 60_000).map((m) => m.lon)).toEqual([-1.15]);
  });
});

describe('queryHistory', () => {
  it('returns trips, stops, flagged points with their reason, and visits for a vehicle and range', () => {
    store = new Store(path.join(tempDir(), 'h.sqlite'));
    const pts: IncomingPoint[] = [];
    // 10 min driving east at 36 km/h, 10 min parked, 10 min driving: one report every 10 s
    let lon = -1.9;
    for (let s = 0; s < 1800; s += 10) {
      const moving = s < 600 || s >= 1200;
      pts.push(inc({ tsMs: T0 + s * 1000, lon, speedKmh: moving ? 36 : 0 }));
      if (moving) lon += 100 / (111_195 * Math.cos((52.48 * Math.PI) / 180));
    }
    pts.push(inc({ tsMs: T0 + 605_000, lat: 53.5, lon: -1.9, speedKmh: 0 }, ['jump']));
    store.telemetry.writeBatch(pts, [], T0 + 1_800_000);
    store.fences.upsert({ id: 'depot', name: 'Depot', category: 'depot', color: '#fff', geometry: { type: 'Circle', center: [-1.89, 52.48], radiusM: 50 }, rules: {}, createdMs: T0, updatedMs: T0 });
    store.recordEngineOutput({
      alerts: [],
      fenceEvents: [
        { vehicleId: 'V1', fenceId: 'depot', event: 'enter', tsMs: T0 + 600_000, sinceMs: T0 + 600_000 },
        { vehicleId: 'V1', fenceId: 'depot', event: 'exit', tsMs: T0 + 1_210_000, sinceMs: T0 + 600_000 },
      ],
    });
    store.track.summarizeAll();
    const [h] = queryHistory(store, { vehicleIds: ['V1'], fromMs: T0, toMs: T0 + 3_600_000 });
    expect(h!.resolution).toBe('raw');
    expect(h!.sourcePoints).toBe(180);
    expect(h!.stops).toHaveLength(1);
    expect(h!.stops[0]!.startMs).toBe(T0 + 600_000);
    expect(h!.stops[0]!.endMs).toBe(T0 + 1_200_000);
    expect(h!.trips.map((t) => t.distanceKm)).toEqual([expect.closeTo(6.0, 1), expect.closeTo(5.9, 1)]);
    // a straight drive: a handful of vertices, not 180
    expect(h!.track.length).toBeLessThan(10);
    expect(h!.track[0]![0]).toBe(T0);
    expect(h!.flagged).toEqual([{ tsMs: T0 + 605_000, lat: 53.5, lon: -1.9, quality: 'jump' }]);
    expect(h!.flaggedTotal).toBe(1);
    expect(h!.visits).toEqual([{ vehicleId: 'V1', fenceId: 'depot', fenceName: 'Depot', enterMs: T0 + 600_000, exitMs: T0 + 1_210_000, durationS: 610 }]);
    // the flagged jump to 53.5° N never enters the trips' distance
    expect(h!.trips.every((t) => t.distanceKm < 7)).toBe(true);
  });

  it('switches to the per-minute summary above the raw point limit', () => {
    store = new Store(path.join(tempDir(), 'h.sqlite'));
    const n = RAW_POINT_LIMIT + 10;
    const batch: IncomingPoint[] = [];
    for (let i = 0; i < n; i++) batch.push(inc({ tsMs: T0 + i * 1000, lon: -1.9 + i * 1e-5, speedKmh: 36 }));
    store.telemetry.writeBatch(batch, [], T0);
    store.track.summarizeAll();
    const [h] = queryHistory(store, { vehicleIds: ['V1'], fromMs: T0, toMs: T0 + n * 1000 });
    expect(h!.resolution).toBe('minute');
    expect(h!.sourcePoints).toBe(n);
    expect(h!.trips).toHaveLength(1);
    // one summary point per minute: the trip spans the whole range within a minute
    expect(h!.trips[0]!.endMs - h!.trips[0]!.startMs).toBeGreaterThan((n - 120) * 1000);
  });

  it('refuses a query it cannot answer, with the reason', () => {
    store = new Store(path.join(tempDir(), 'h.sqlite'));
    expect(() => queryHistory(store!, { vehicleIds: [], fromMs: T0, toMs: T0 + 1 })).toThrow(/at least one vehicle/);
    expect(() => queryHistory(store!, { vehicleIds: ['V1'], fromMs: T0, toMs: T0 - 1 })).toThrow(/ends before it starts/);
    expect(() => queryHistory(store!, { vehicleIds: ['V1'], fromMs: T0, toMs: T0 + 100 * 86_400_000 })).toThrow(/92 days/);
    expect(() => queryHistory(store!, { vehicleIds: ['V1'], fromMs: Number.NaN, toMs: T0 })).toThrow(/times/);
  });
});

describe('upgrade', () => {
  it('packs a summary made before the hour blobs existed, once, on first use', () => {
    const file = path.join(tempDir(), 'old.sqlite');
    // as FleetDesk at schema 5 left it: two points summarised into minutes, no hour blobs yet
    const old = new Database(file);
    for (let v = 0; v < 5; v++) old.exec(MIGRATIONS[v]!);
    old.pragma('user_version = 5');
    const row = old.prepare(`INSERT INTO telemetry (vehicle_id, ts_ms, lat, lon, received_ms) VALUES ('V1', ?, 52.48, ?, ?)`);
    const minute = old.prepare(`INSERT INTO track_minutes (vehicle_id, minute_ms, ts_ms, lat, lon, n) VALUES ('V1', ?, ?, 52.48, ?, 1)`);
    for (const [ts, lon] of [[T0 + 5_000, -1.5], [T0 + 3_700_000, -1.6]] as const) {
      row.run(ts, lon, T0);
      minute.run(Math.floor(ts / 60_000) * 60_000, ts, lon);
    }
    old.prepare(`INSERT INTO settings (key, value) VALUES ('history.summarizedRowId', '2')`).run();
    old.close();
    let s: Store;
    s = new Store(file);
    store = s;
    expect(s.settings.get('history.repackHours')).toBe('1');
    expect(s.track.minuteTrack('V1', T0, T0 + 7_200_000).map((m) => m.lon)).toEqual([-1.5, -1.6]);
    expect(s.settings.get('history.repackHours')).toBeNull();
  });
});
