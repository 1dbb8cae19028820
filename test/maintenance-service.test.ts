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
});
