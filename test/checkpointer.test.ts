// WAL checkpoints from a thread of their own: what the service commits reaches the database file itself
// without the service's connection ever checkpointing (its automatic threshold is far above this test).
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, FALLBACK_AUTOCHECKPOINT_PAGES } from '../src/main/core/storage/checkpointer';
import { Store, type IncomingPoint } from '../src/main/core/storage/store';
import { tempDir, waitFor, WORKER_PATH } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const point = (i: number): IncomingPoint => ({
  point: { vehicleId: `V${i % 50}`, tsMs: 1_763_884_800_000 + i * 1000, lat: 52, lon: 4, speedKmh: 30, headingDeg: 0, fuelLevelPct: 50, engineRpm: 1500, odometerKm: 1, dtcCodes: [], hdop: 1, satellites: 9, coolantTempC: 90, ignition: true, driverId: null },
  flags: [],
  source: 'mqtt',
});

/** Telemetry rows in the database file alone, as a copy without its write-ahead log would show them. */
function rowsInMainFile(dbFile: string): number {
  const copy = path.join(tempDir(), 'copy.sqlite');
  copyFileSync(dbFile, copy);
  const db = new Database(copy, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'telemetry'`).pluck().get() as number) ? (db.prepare('SELECT count(*) FROM telemetry').pluck().get() as number) : 0;
  } finally {
    db.close();
  }
}

describe('checkpointer thread', () => {
  it('copies committed rows into the database file while the service connection never checkpoints, and stops cleanly', async () => {
    const dbFile = path.join(tempDir(), 'fleet.sqlite');
    const store = new Store(dbFile);
    cleanups.push(() => store.close());
    store.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    store.db.pragma('wal_checkpoint(TRUNCATE)'); // start from an empty log
    const problems: string[] = [];
    const cp = new Checkpointer(WORKER_PATH, dbFile, (m) => problems.push(m), 50);
    cp.start();
    cleanups.push(() => cp.close());

    store.telemetry.writeBatch(Array.from({ length: 2000 }, (_, i) => point(i)), [], Date.now());
    await waitFor(() => rowsInMainFile(dbFile) === 2000 || null, 'the rows in the database file itself', 15_000, 100);
    expect(cp.checkpoints).toBeGreaterThan(0);
    expect(problems).toEqual([]);

    await cp.close(); // its connection closes, so the service's close removes the log
    store.close();
    const again = new Store(dbFile);
    expect(again.stats().telemetryRows).toBe(2000);
    again.close();
  });

  it('says so when the database cannot be opened', async () => {
    const problems: string[] = [];
    const cp = new Checkpointer(WORKER_PATH, path.join(tempDir(), 'missing', 'fleet.sqlite'), (m) => problems.push(m), 50);
    cp.start();
    await waitFor(() => problems.length > 0 || null, 'a problem report');
    expect(problems[0]).toMatch(/database checkpoint/);
    await cp.close();
  });
});
