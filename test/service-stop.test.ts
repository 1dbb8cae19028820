// Stopping the service while the history summary is folding rows in slices: the pass ends first, so
// the database is never used after it is closed.
import { describe, expect, it } from 'vitest';
import type { IncomingPoint, Store } from '../src/main/core/storage/store';
import { startService } from './service-helpers';

describe('service stop', () => {
  it('waits for a history summary pass under way instead of letting its next slice find the database closed', async () => {
    const { service, logs } = await startService();
    const store = (service as unknown as { store: Store }).store;
    const t0 = Date.now() - 3_600_000;
    const points: IncomingPoint[] = Array.from({ length: 30_000 }, (_, i) => ({
      point: { vehicleId: `S${i % 100}`, tsMs: t0 + Math.floor(i / 100) * 1000, lat: 52 + (i % 100) * 0.001, lon: 4, speedKmh: 30, headingDeg: 0, fuelLevelPct: 50, engineRpm: 1500, odometerKm: null, dtcCodes: [], hdop: 1, satellites: 9, coolantTempC: 90, ignition: true, driverId: null },
      flags: [],
      source: 'mqtt',
    }));
    store.telemetry.writeBatch(points, [], Date.now());
    const pass = (service as unknown as { p: { summarizer: { step(): Promise<void> } } }).p.summarizer.step(); // 6 slices of 5,000
    await service.stop();
    await pass;
    expect(logs.filter((l) => l.includes('history summary failed'))).toEqual([]);
  });
});
