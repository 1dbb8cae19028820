// The Maintenance tab's ranking through the real service: computed in a worker thread (the service's
// own thread keeps turning meanwhile), shared by callers at the same time, and recomputed after a change.
import { describe, expect, it, vi } from 'vitest';
import { syntheticFeatureCsv } from '../src/main/core/maintenance/synthetic';
import { weekStart } from '../src/main/core/maintenance/features';
import { waitFor } from './helpers';
import { startService } from './service-helpers';

describe('maintenance overview', () => {
  it('ranks vehicles off the service thread, once for callers at the same time, again after a change', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const ids = Array.from({ length: 30 }, (_, i) => `VAN-${i}`);
    await h.importMaintenanceCsv({ kind: 'history', text: syntheticFeatureCsv({ vehicleIds: ids, weeks: 60, endMs: weekStart(Date.now()) - 7 * 86_400_000, seed: 3 }) });
    expect((await h.retrainMaintenance({})).started).toBe(true);
    await waitFor(async () => (await h.getMaintenance({})).model !== null, 'the model to be trained', 60_000, 200);

    const m = (service as unknown as { maintenance: { invalidate(): void; overviewInWorker(now: number): Promise<unknown> } }).maintenance;
    const computed = vi.spyOn(m, 'overviewInWorker');
    m.invalidate();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const [a, b] = await Promise.all([h.getMaintenance({}), h.getMaintenance({})]);
    clearInterval(timer);
    expect(computed).toHaveBeenCalledTimes(1);
    expect(ticks).toBeGreaterThan(0); // the thread was free while the worker read and ranked
    expect(a.ranking).toHaveLength(30);
    expect(b.ranking).toEqual(a.ranking);
    expect(a.ranking.map((r) => r.risk)).toEqual([...a.ranking.map((r) => r.risk)].sort((x, y) => y - x));

    // cached for a minute …
    await h.getMaintenance({});
    expect(computed).toHaveBeenCalledTimes(1);
    // … unless something changed, even while a computation was under way: its answer is not kept
    m.invalidate();
    const pending = h.getMaintenance({}); // computation 2 starts
    await h.addMaintenanceRecord({ vehicleId: 'VAN-1', kind: 'service', tsMs: Date.now() - 86_400_000, odometerKm: null, cost: 120, note: '' });
    await pending; // computation 2 is dropped, 3 runs on the new data
    expect(computed).toHaveBeenCalledTimes(3);
    await h.getMaintenance({});
    expect(computed).toHaveBeenCalledTimes(3);
  });

  it('imports service records from RFC 4180 CSV, refusing control characters in ids and days that do not exist', async () => {
    const { service } = await startService();
    const h = service.handlers;
    const text = [
      'vehicle_id,kind,date,odometer_km,cost,note',
      'VAN-1,service,2026-10-02,48211,180,"oil, filters ""long-life"" and',
      'wipers"',
      'VAN-2,breakdown,2026-02-30,50000,900,gearbox',
      '"VAN\u0000-3",service,2026-10-03,1,1,x',
      'VAN-4,service,2026-10-04,1,1,brakes, front and rear',
    ].join('\r\n');
    const r = await h.importMaintenanceCsv({ kind: 'records', text });
    expect(r.errors).toEqual(['line 4: date is not a date (use ISO-8601, e.g. 2026-11-02)', 'line 5: "VAN?-3" is not a vehicle id (1–64 letters, digits or _ . : -)']);
    expect(r.imported).toBe(2);
    const notes = (await h.listMaintenanceRecords({})).map((x) => [x.vehicleId, x.note]).sort();
    expect(notes).toEqual([
      ['VAN-1', 'oil, filters "long-life" and\r\nwipers'],
      ['VAN-4', 'brakes, front and rear'],
    ]);
  });
});
