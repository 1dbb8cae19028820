import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';
import { tempDir } from '../../../../test/helpers';
import { DEAD_LETTER_MAX_BYTES, Store, type IncomingPoint } from './store';

const point = (over: Partial<TelemetryPoint> = {}): TelemetryPoint => ({
  vehicleId: 'V1',
  tsMs: 1_763_884_800_000,
  lat: 52.48,
  lon: -1.89,
  speedKmh: 30,
  headingDeg: 10,
  fuelLevelPct: 50,
  engineRpm: 1500,
  odometerKm: 100,
  dtcCodes: ['P0420'],
  hdop: 1,
  satellites: 8,
  coolantTempC: 90,
  ignition: true,
  driverId: 'D1',
  ...over,
});

const incoming = (over: Partial<TelemetryPoint> = {}, flags: string[] = []): IncomingPoint => ({ point: point(over), flags, source: 'mqtt' });

let store: Store | null = null;
afterEach(() => store?.close());

describe('Store', () => {
  it('stores a redelivered report (same vehicle and fix time) once', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const first = store.telemetry.writeBatch([incoming(), incoming({ tsMs: 1_763_884_801_000 })], [], 1);
    const again = store.telemetry.writeBatch([incoming()], [], 2);
    expect(first.inserted).toHaveLength(2);
    expect(again).toEqual({ inserted: [], duplicates: 1 });
    expect(store.stats().telemetryRows).toBe(2);
  });

  it('opens read-only beside the service connection: reads, never writes, refuses another schema version', () => {
    const file = path.join(tempDir(), 'db.sqlite');
    store = new Store(file);
    store.telemetry.writeBatch([incoming()], [], 1);
    const reader = new Store(file, { readonly: true });
    try {
      expect(reader.telemetry.rawTrack('V1', 0, Number.MAX_SAFE_INTEGER).tsMs.length).toBe(1);
      expect(() => reader.telemetry.writeBatch([incoming({ tsMs: 1_763_884_802_000 })], [], 2)).toThrow(/readonly/);
    } finally {
      reader.close();
    }
    store.db.pragma('user_version = 3');
    expect(() => new Store(file, { readonly: true })).toThrow(/schema version 3/);
  });

  it('lists fence visits in a range, for one fence or all, each visit once', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const ev = (vehicleId: string, fenceId: string, event: 'enter' | 'exit', tsMs: number, sinceMs = tsMs) => ({ vehicleId, fenceId, event, tsMs, sinceMs });
    store.recordEngineOutput({
      alerts: [],
      fenceEvents: [
        ev('V1', 'A', 'enter', 100), // entered before the range, left in it
        ev('V1', 'B', 'enter', 150), // entered before the range, still inside at its end
        ev('V1', 'A', 'exit', 1_100, 100),
        ev('V2', 'A', 'enter', 1_200), // entered in the range, still inside
        ev('V2', 'B', 'enter', 1_300),
        ev('V2', 'B', 'exit', 1_500, 1_300),
        ev('V3', 'A', 'enter', 1_050, 950), // an entry delay: confirmed in the range, counted from before it
      ],
    });
    const brief = (vs: ReturnType<Store['fences']['visits']>) => vs.map((v) => `${v.vehicleId} ${v.fenceId} ${v.enterMs}-${v.exitMs ?? 'open'}`);
    expect(brief(store.fences.visits(null, 1_000, 2_000))).toEqual(['V1 A 100-1100', 'V1 B 150-open', 'V2 A 1200-open', 'V2 B 1300-1500', 'V3 A 950-open']);
    expect(brief(store.fences.visits(null, 1_000, 2_000, 'A'))).toEqual(['V1 A 100-1100', 'V2 A 1200-open', 'V3 A 950-open']);
    expect(brief(store.fences.visits('V1', 1_000, 2_000, 'B'))).toEqual(['V1 B 150-open']);
  });

  it('round-trips every telemetry field and returns the newest trusted point per vehicle', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    store.telemetry.writeBatch(
      [
        incoming(),
        incoming({ tsMs: 1_763_884_805_000, speedKmh: null, ignition: false, dtcCodes: [], attributes: { batt: 87 } }),
        incoming({ vehicleId: 'V2' }),
        incoming({ tsMs: 1_763_884_809_000, lat: 0, lon: 0 }, ['zero_position']),
      ],
      [],
      7,
    );
    const latest = store.telemetry.latestPoints().sort((a, b) => a.point.vehicleId.localeCompare(b.point.vehicleId));
    expect(latest).toEqual([
      { point: point({ tsMs: 1_763_884_805_000, speedKmh: null, ignition: false, dtcCodes: [], attributes: { batt: 87 } }), receivedMs: 7 },
      { point: point({ vehicleId: 'V2' }), receivedMs: 7 },
    ]);
  });

  it('keeps a dead letter with its reason and a truncated payload, recording the original size', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const big = new Uint8Array(DEAD_LETTER_MAX_BYTES + 500).fill(65);
    store.telemetry.writeBatch([], [{ receivedMs: 5, source: 'mqtt', topic: 'fleet/x/telemetry', reason: 'payload too large', payload: big }], 5);
    const [dl] = store.telemetry.deadLetters(10);
    expect(dl).toMatchObject({ source: 'mqtt', topic: 'fleet/x/telemetry', reason: 'payload too large', payloadBytes: DEAD_LETTER_MAX_BYTES + 500 });
    expect(dl!.payloadText).toHaveLength(DEAD_LETTER_MAX_BYTES);
  });

  it('keeps the first acknowledgement when an alert is acknowledged twice', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const {
      raised: [a],
    } = store.recordEngineOutput({
      alerts: [{ type: 'geofence_enter', severity: 'critical', vehicleId: 'V1', fenceId: 'F', fenceName: 'Zone', tsMs: 10, raisedMs: 11, message: 'V1 entered Zone', lat: 1, lon: 2, suppressed: false }],
      fenceEvents: [{ vehicleId: 'V1', fenceId: 'F', event: 'enter', tsMs: 10, sinceMs: 10 }],
    });
    expect(store.alerts.countOpen()).toBe(1);
    store.alerts.acknowledge(a!.id, 'anna', 100);
    const second = store.alerts.acknowledge(a!.id, 'bob', 200);
    expect(second).toMatchObject({ acknowledgedBy: 'anna', acknowledgedMs: 100 });
    expect(store.alerts.countOpen()).toBe(0);
    expect(store.alerts.list({ limit: 10 })).toEqual([]);
    expect(store.fences.membership()).toEqual([{ vehicleId: 'V1', fenceId: 'F', sinceMs: 10 }]);
  });

  it('reopens an existing database without re-running migrations', () => {
    const file = path.join(tempDir(), 'db.sqlite');
    store = new Store(file);
    store.telemetry.writeBatch([incoming()], [], 1);
    store.close();
    store = new Store(file);
    expect(store.stats().telemetryRows).toBe(1);
  });
});

describe('alert de-duplication', () => {
  const enter = (tsMs: number) => ({
    type: 'geofence_enter' as const,
    severity: 'critical' as const,
    vehicleId: 'V1',
    fenceId: 'F',
    fenceName: 'Zone',
    tsMs,
    raisedMs: tsMs,
    message: 'V1 entered Zone',
    lat: 1,
    lon: 2,
    suppressed: false,
  });

  it('folds a repeat into the open alert with a count and last-seen time, and starts afresh once acknowledged', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const first = store.recordEngineOutput({ alerts: [enter(10)] });
    expect(first.raised.map((a) => [a.repeatCount, a.lastSeenMs])).toEqual([[1, 10]]);
    const second = store.recordEngineOutput({ alerts: [enter(20), enter(30)] });
    expect(second.raised).toEqual([]);
    expect(second.repeated.map((a) => [a.id, a.repeatCount, a.lastSeenMs])).toEqual([[first.raised[0]!.id, 3, 30]]);
    expect(store.alerts.countOpen()).toBe(1);
    expect(store.alerts.openBySeverity()).toEqual({ info: 0, warning: 0, critical: 1 });
    store.alerts.acknowledge(first.raised[0]!.id, 'anna', 40);
    const third = store.recordEngineOutput({ alerts: [enter(50)] });
    expect(third.raised.map((a) => a.repeatCount)).toEqual([1]);
    expect(third.raised[0]!.id).not.toBe(first.raised[0]!.id);
  });

  it('keeps different vehicles, fences and types apart', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const r = store.recordEngineOutput({ alerts: [enter(10), { ...enter(11), vehicleId: 'V2' }, { ...enter(12), fenceId: 'G' }, { ...enter(13), type: 'geofence_exit' }] });
    expect(r.raised).toHaveLength(4);
  });

  it('reports an alert raised and repeated in one batch once, as raised, with its count', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const r = store.recordEngineOutput({ alerts: [enter(10), enter(20)] });
    expect(r.raised.map((a) => a.repeatCount)).toEqual([2]);
    expect(r.repeated).toEqual([]);
  });

  it('folds a suppressed repeat only into the open suppressed alert, and an unsuppressed one only into its own', () => {
    store = new Store(path.join(tempDir(), 'db.sqlite'));
    const shown = store.recordEngineOutput({ alerts: [enter(10)] }).raised[0]!;
    const muted = store.recordEngineOutput({ alerts: [{ ...enter(20), suppressed: true }] });
    expect(muted.raised.map((a) => [a.suppressed, a.repeatCount])).toEqual([[true, 1]]);
    const again = store.recordEngineOutput({ alerts: [{ ...enter(30), suppressed: true }] });
    expect(again.repeated.map((a) => [a.id, a.repeatCount])).toEqual([[muted.raised[0]!.id, 2]]);
    const plain = store.recordEngineOutput({ alerts: [enter(40)] });
    expect(plain.repeated.map((a) => [a.id, a.repeatCount])).toEqual([[shown.id, 2]]);
  });
});
