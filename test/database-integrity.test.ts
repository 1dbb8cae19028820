// A damaged database file: found by the check at start (the service goes on and says what is wrong and
// what to do), or refused at open with the file's path when SQLite cannot read it at all.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store, type IncomingPoint } from '../src/main/core/storage/store';
import { FleetService } from '../src/main/service/fleet-service';
import { telemetry, tempDir, waitFor, WORKER_PATH } from './helpers';
import { publisher, startService } from './service-helpers';

const T0 = Date.UTC(2026, 10, 20, 6);

function filledDb(): string {
  const file = path.join(tempDir('integrity-'), 'fleet.sqlite');
  const store = new Store(file);
  const batch: IncomingPoint[] = [];
  for (let k = 0; k < 20_000; k++) {
    batch.push({
      point: { vehicleId: `VAN-${k % 20}`, tsMs: T0 + k * 1000, lat: 52.4, lon: -1.9, speedKmh: 40, headingDeg: 90, fuelLevelPct: 60, engineRpm: 1800, odometerKm: 1000 + k, dtcCodes: [], hdop: 0.9, satellites: 9, coolantTempC: 90, ignition: true, driverId: null },
      flags: [],
      source: 'mqtt',
    });
  }
  store.writeBatch(batch, [], T0);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  return file;
}

/** Overwrites `bytes` at `offset` with garbage, as a failing disk would. */
function damage(file: string, offset: number, bytes: number): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(bytes, 0xa5), 0, bytes, offset);
  closeSync(fd);
}

describe('a damaged database', () => {
  it('is found by the check at start: the status bar says what is wrong, with the file and what to do', async () => {
    const file = filledDb();
    const pageSize = 4096;
    // a page in the middle of the telemetry table, not the schema
    damage(file, Math.floor(statSync(file).size / pageSize / 2) * pageSize, pageSize);
    const { service } = await startService({ dbFile: file });
    await service.integrityCheck;
    const problems = (await service.handlers.getStatus({})).storageProblems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`The database ${file} is damaged`);
    expect(problems[0]).toContain('.recover');
  });

  it('a sound database reports nothing', async () => {
    const { service } = await startService({ dbFile: filledDb() });
    await service.integrityCheck;
    expect((await service.handlers.getStatus({})).storageProblems).toEqual([]);
  });

  it('a file SQLite cannot read is refused at start with its path and what to do', async () => {
    const file = filledDb();
    damage(file, 0, 100); // the header
    const service = new FleetService({ dbFile: file, workerPath: WORKER_PATH, embeddedBroker: { port: 0 } });
    await expect(service.start()).rejects.toThrow(`FleetDesk cannot open its database ${file}: file is not a database. Keep a copy of the file`);
  });

  it('a full disk is said on the status bar while saving fails, and cleared when it saves again', async () => {
    const { service } = await startService();
    const db = (service as unknown as { store: Store }).store.db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const pub = await publisher(service.brokerUrl);
    for (let i = 0; i < 50; i++) void pub.publishAsync('fleet/VAN-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-1', timestamp: Date.now() - 60_000 + i * 1000 })), { qos: 1 });
    const problem = await waitFor(async () => (await service.handlers.getStatus({})).storageProblems[0], 'the disk-full message');
    expect(problem).toMatch(/^Disk full: FleetDesk cannot save telemetry \(database or disk is full\)\. \d+ messages wait in memory/);
    expect(problem).toContain('Free space on the disk of');
    db.pragma('max_page_count = 1073741823');
    await waitFor(async () => (await service.handlers.getStatus({})).storageProblems.length === 0, 'the message to clear');
    await waitFor(() => service.stats().telemetryRows === 50, 'every report saved');
  });
});
