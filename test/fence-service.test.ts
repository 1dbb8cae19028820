// Big imported fences through the real service: the size is checked first, and a big shape is
// validated in a thread of its own while the service thread goes on ingesting and answering.
import { describe, expect, it, vi } from 'vitest';
import type { FenceRegistry } from '../src/main/domains/fences/registry';
import { startService } from './service-helpers';

/** A wavy closed ring of `n` vertices around Birmingham. */
function boundary(n: number): number[][] {
  const ring = Array.from({ length: n }, (_, i) => {
    const a = (i / n) * 2 * Math.PI;
    const r = 0.05 * (1 + 0.01 * Math.sin(a * 400));
    return [-1.9 + r * Math.cos(a), 52.48 + r * Math.sin(a)];
  });
  return [...ring, ring[0]!];
}

/** The service's fence registry (the fences domain), to watch where a shape is checked. */
const fenceRegistry = (service: object) => (service as unknown as { p: { fences: FenceRegistry } }).p.fences;

describe('big fences', () => {
  it('validates a 52,000-vertex boundary off the service thread, and refuses one that crosses itself', async () => {
    const { service } = await startService();
    const inWorker = vi.spyOn(fenceRegistry(service), 'validateInWorker');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const fence = await service.handlers.saveGeofence({ name: 'County', category: 'customer', geometry: { type: 'Polygon', coordinates: [boundary(52_000)] } });
    clearInterval(timer);
    expect(inWorker).toHaveBeenCalledTimes(1);
    expect(ticks).toBeGreaterThan(0); // the thread was free while the worker checked the shape
    expect((await service.handlers.listGeofences({})).map((f) => f.id)).toContain(fence.id);

    const broken = boundary(52_000);
    [broken[26_000], broken[26_001]] = [broken[26_001]!, broken[26_000]!];
    await expect(service.handlers.saveGeofence({ name: 'Broken', category: 'customer', geometry: { type: 'Polygon', coordinates: [broken] } })).rejects.toThrow(
      /Geofence "Broken" was not saved: outer ring: crosses itself near \[/,
    );
    // a small fence is checked at once, on the service thread
    await service.handlers.saveGeofence({ name: 'Yard', category: 'depot', geometry: { type: 'Circle', center: [-1.9, 52.48], radiusM: 80 } });
    expect(inWorker).toHaveBeenCalledTimes(2);
  });

  it('refuses a fence over the vertex limit before looking at any vertex', async () => {
    const { service } = await startService();
    const inWorker = vi.spyOn(fenceRegistry(service), 'validateInWorker');
    const huge = boundary(100_001);
    huge[5] = ['not', 'a', 'point'] as unknown as number[]; // never reached: the count comes first
    await expect(service.handlers.saveGeofence({ name: 'Huge', category: 'customer', geometry: { type: 'Polygon', coordinates: [huge] } })).rejects.toThrow(
      'Geofence "Huge" was not saved: fence has 100002 vertices; the limit is 100000.',
    );
    expect(inWorker).not.toHaveBeenCalled();
  });
});
