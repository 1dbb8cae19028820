// What can go wrong under the database, said on the status bar with what to do: a damaged file (found by
// the check at start, or refused at open when SQLite cannot read it at all), a full disk, a wrong clock.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Store, type IncomingPoint } from '../src/main/core/storage/store';
import { FleetService } from '../src/main/app/service';
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
  store.telemetry.writeBatch(batch, [], T0);
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

  it('a clock 400 days ahead of the vehicles’ GPS time thins and deletes nothing, and says so', async () => {
    const { service } = await startService({ retention: { rawRetentionDays: 90 } });
    const pub = await publisher(service.brokerUrl);
    const realNow = Date.now();
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) await pub.publishAsync('fleet/VAN-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-1', timestamp: Date.now() - 60_000 + i * 1000 })), { qos: 1 });
    };
    await send(10);
    await waitFor(() => service.stats().telemetryRows === 10, 'the reports');
    // this computer's clock jumps 400 days ahead; the vehicles' GPS clocks do not
    const jump = 400 * 86_400_000;
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: realNow + jump });
    try {
      for (let i = 0; i < 10; i++) await pub.publishAsync('fleet/VAN-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-1', timestamp: realNow + i * 1000 })), { qos: 1 });
      await pub.publishAsync('fleet/VAN-1/telemetry', '{"broken": true', { qos: 1 });
      await waitFor(() => service.stats().telemetryRows === 20 && service.stats().deadLetters === 1, 'the reports after the jump');
      expect(await service.runRetentionNow()).toBeNull();
      expect(service.stats()).toMatchObject({ telemetryRows: 20, deadLetters: 1 });
      expect((await service.handlers.getStatus({})).storageProblems).toEqual([expect.stringContaining("This computer's clock is 400 days ahead of the vehicles' GPS time")]);
    } finally {
      vi.useRealTimers();
    }
    // the clock is right again: once the vehicles confirm it, retention runs and the message goes
    for (let i = 0; i < 200; i++) await pub.publishAsync('fleet/VAN-1/telemetry', JSON.stringify(telemetry({ vehicle_id: 'VAN-1', timestamp: Date.now() - 500 + (i % 400) })), { qos: 1 });
    expect(await service.runRetentionNow()).not.toBeNull();
    expect((await service.handlers.getStatus({})).storageProblems).toEqual([]);
  });
});
