// A depot's "send again since": each cursor moves back to its first row committed since then (found by a
// binary search on the key, with gaps in the ids), never forward; what changed since goes into the outbox.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { Store } from '../../core/storage/store';
import type { IncomingPoint } from '../ingest/repo';

let store: Store | null = null;
afterEach(() => store?.close());

const T = Date.UTC(2026, 11, 2, 9);
const fix = (v: string, tsMs: number): IncomingPoint => ({
  point: { vehicleId: v, tsMs, lat: 52.5, lon: -1.9, speedKmh: 30, headingDeg: 0, fuelLevelPct: 50, engineRpm: 1500, odometerKm: 10, dtcCodes: [], hdop: 0.9, satellites: 9, coolantTempC: 80, ignition: true, driverId: null },
  flags: [],
  source: 'mqtt',
});

it('moves each cursor back to the first row committed since a time, never forward', () => {
  store = new Store(path.join(mkdtempSync(path.join(os.tmpdir(), 'fleetdesk-depot-')), 'depot.sqlite'));
  const s = store;
  // ten batches a minute apart, three rows each; then a gap in the ids (rows deleted by retention)
  for (let b = 0; b < 10; b++) s.telemetry.writeBatch([fix('A', T + b * 60_000), fix('B', T + b * 60_000), fix('C', T + b * 60_000)], [], T + b * 60_000);
  s.db.prepare(`DELETE FROM telemetry WHERE id BETWEEN 10 AND 15`).run();
  expect(s.federation.sendAgainSince(T)).toBeNull(); // forwarding is off
  s.federation.startForwarding();
  expect(s.federation.cursor('telemetry')).toBe(30);
  // since minute 4: batches 4–9 (ids 13–30; 13–15 are gone, so the first row is 16)
  expect(s.federation.sendAgainSince(T + 4 * 60_000)).toMatchObject({ telemetryRows: 15 });
  expect(s.federation.cursor('telemetry')).toBe(15);
  // a later time moves nothing forward; an earlier one moves back further
  expect(s.federation.sendAgainSince(T + 8 * 60_000)).toMatchObject({ telemetryRows: 0 });
  expect(s.federation.cursor('telemetry')).toBe(15);
  expect(s.federation.sendAgainSince(T - 1)).toMatchObject({ telemetryRows: 15 });
  expect(s.federation.cursor('telemetry')).toBe(0);
  // nothing committed since then
  expect(s.federation.sendAgainSince(T + 3_600_000)).toMatchObject({ telemetryRows: 0 });
});
