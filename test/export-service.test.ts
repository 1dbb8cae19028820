// Exports from the app (FleetService, serve mode): written in a thread of their own with progress, and
// stopped on request with nothing left behind.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExportProgress } from '../src/shared/reports';
import { Store, type IncomingPoint } from '../src/main/core/storage/store';
import { tempDir, waitFor } from './helpers';
import { startService } from './service-helpers';

const T0 = Date.UTC(2026, 10, 20, 6);

/** A database with `n` positions of one van, one a second. */
function dbWith(n: number): string {
  const file = path.join(tempDir('export-svc-'), 'fleet.sqlite');
  const store = new Store(file);
  for (let i = 0; i < n; i += 10_000) {
    const batch: IncomingPoint[] = [];
    for (let k = i; k < Math.min(n, i + 10_000); k++) {
      batch.push({
        point: { vehicleId: 'VAN-1', tsMs: T0 + k * 1000, lat: 52.4 + k * 1e-6, lon: -1.9, speedKmh: 40, headingDeg: 90, fuelLevelPct: 60, engineRpm: 1800, odometerKm: 1000 + k * 0.01, dtcCodes: [], hdop: 0.9, satellites: 9, coolantTempC: 90, ignition: true, driverId: 'DRV-1' },
        flags: [],
        source: 'mqtt',
      });
    }
    store.telemetry.writeBatch(batch, [], T0);
  }
  store.close();
  return file;
}

describe('exports from the service', () => {
  it('reports progress, then the finished file with its size', async () => {
    const { service } = await startService({ dbFile: dbWith(30_000) });
    const seen: ExportProgress[] = [];
    service.on('exportProgress', (p) => seen.push(p));
    const job = await service.handlers.startExport({ report: 'positions', format: 'csv', fromMs: T0, toMs: T0 + 86_400_000, vehicleIds: ['VAN-1'], timeZone: 'UTC' });
    const done = await waitFor(() => (service.exports.get(job.jobId)?.state === 'done' ? service.exports.get(job.jobId) : null), 'the export');
    expect(done.totalRows).toBe(30_000);
    expect(done.rows).toBe(30_000);
    expect(done.bytes).toBeGreaterThan(30_000 * 50);
    expect(seen.some((p) => p.state === 'running' && p.totalRows === 30_000)).toBe(true);
    expect(seen.at(-1)?.state).toBe('done');
    const dl = service.exports.takeDownload(done.jobId, done.fileName)!;
    expect(existsSync(dl.file)).toBe(true);
    dl.done();
  });

  it('stops a running export when cancelled and leaves no file behind', async () => {
    const { service, dbFile } = await startService({ dbFile: dbWith(300_000) });
    const job = await service.handlers.startExport({ report: 'positions', format: 'xlsx', fromMs: T0, toMs: T0 + 7 * 86_400_000, vehicleIds: ['VAN-1'], timeZone: 'UTC' });
    await waitFor(() => (service.exports.get(job.jobId)?.rows ?? 0) > 0 || null, 'the first rows written');
    expect(await service.handlers.cancelExport({ jobId: job.jobId })).toEqual({ cancelled: true });
    await waitFor(() => service.exports.get(job.jobId) === null || null, 'the cancellation');
    // serve mode writes into a private folder per export beside the database: none is left of this one
    expect(existsSync(path.join(`${dbFile}.exports`, job.jobId))).toBe(false);
    expect(readdirSync(`${dbFile}.exports`)).toEqual([]);
  });
});
