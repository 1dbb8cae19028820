import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';
import { tempDir } from '../../../../test/helpers';
import { Store, type IncomingPoint } from '../storage/store';
import { runRetention } from './retention';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23, 12);
const pt = (vehicleId: string, tsMs: number, flags: string[] = []): IncomingPoint => ({
  point: { vehicleId, tsMs, lat: 52.48, lon: -1.89, speedKmh: 30, headingDeg: 0, fuelLevelPct: null, engineRpm: null, odometerKm: null, dtcCodes: [], hdop: null, satellites: null, coolantTempC: null, ignition: null, driverId: null } as TelemetryPoint,
  flags,
  source: 'mqtt',
});

let store: Store | null = null;
afterEach(() => store?.close());

function seed(s: Store) {
  const rows: IncomingPoint[] = [];
  // two vehicles at 1 Hz: 2 hours that are 100 days old, 1 hour that is 10 days old
  for (const v of ['A', 'B']) {
    const old = NOW - 100 * DAY;
    for (let t = 0; t < 7200; t++) rows.push(pt(v, old + t * 1000, t % 60 === 30 ? ['high_hdop'] : []));
    const recent = NOW - 10 * DAY;
    for (let t = 0; t < 3600; t++) rows.push(pt(v, recent + t * 1000, t % 60 === 30 ? ['high_hdop'] : []));
  }
  s.telemetry.writeBatch(rows, [{ receivedMs: NOW - 40 * DAY, source: 'mqtt', topic: null, reason: 'old', payload: new Uint8Array(1) }, { receivedMs: NOW - DAY, source: 'mqtt', topic: null, reason: 'new', payload: new Uint8Array(1) }], NOW);
}

const count = (s: Store, sql: string, ...args: unknown[]) => (s.db.prepare(sql).get(...args) as { n: number }).n;

describe('retention', () => {
  it('thins points older than the window to one trusted point per minute per vehicle, keeps recent ones raw', async () => {
    store = new Store(path.join(tempDir(), 'r.sqlite'));
    seed(store);
    const r = await runRetention(store, NOW, { rawRetentionDays: 90, downsampleIntervalMs: 60_000, deadLetterRetentionDays: 30 });
    const cutoff = NOW - 90 * DAY;
    // 2 h = 120 minutes per vehicle, one trusted point each
    expect(count(store, 'SELECT count(*) AS n FROM telemetry WHERE ts_ms < ?', cutoff)).toBe(240);
    expect(count(store, 'SELECT count(*) AS n FROM telemetry WHERE ts_ms < ? AND quality IS NOT NULL', cutoff)).toBe(0);
    expect(count(store, 'SELECT count(*) AS n FROM (SELECT vehicle_id, ts_ms / 60000 AS m, count(*) AS c FROM telemetry WHERE ts_ms < ? GROUP BY 1, 2 HAVING c > 1)', cutoff)).toBe(0);
    expect(count(store, 'SELECT count(*) AS n FROM telemetry WHERE ts_ms >= ?', cutoff)).toBe(7200);
    expect(r.deletedPoints).toBe(2 * 7200 - 240);
    expect(r.deletedDeadLetters).toBe(1);
    expect(store.telemetry.deadLetters(10).map((d) => d.reason)).toEqual(['new']);
  });

  it('does nothing more on a second run, and lets other writes in between its slices', async () => {
    store = new Store(path.join(tempDir(), 'r.sqlite'));
    seed(store);
    let interleaved = 0;
    await runRetention(store, NOW, undefined, async () => {
      // what ingest would do while retention runs
      store!.telemetry.writeBatch([pt('C', NOW + interleaved * 1000)], [], NOW);
      interleaved++;
    });
    expect(interleaved).toBeGreaterThan(1);
    const again = await runRetention(store, NOW);
    expect(again.deletedPoints).toBe(0);
    expect(again.slices).toBe(0);
    expect(count(store, `SELECT count(*) AS n FROM telemetry WHERE vehicle_id = 'C'`)).toBe(interleaved);
  });
});
