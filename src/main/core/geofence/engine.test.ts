import { describe, expect, it } from 'vitest';
import { booleanPointInPolygon } from '@turf/turf';
import type { FenceGeometry } from '../../../shared/types';
import { mulberry32 } from '../sim/demo-fleet';
import { GeofenceEngine, type EnginePosition } from './engine';

const sq = (x: number, y: number, s: number): FenceGeometry => ({
  type: 'Polygon',
  coordinates: [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]],
});

const pos = (vehicleId: string, tsMs: number, lon: number, lat: number): EnginePosition => ({ vehicleId, tsMs, lon, lat });

describe('GeofenceEngine', () => {
  it('a vehicle that drives through a fence raises exactly one enter and one exit', () => {
    const e = new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1) }]);
    const events = e.step([pos('v', 1, -0.5, 0.5), pos('v', 2, 0.5, 0.5), pos('v', 3, 0.6, 0.5), pos('v', 4, 1.5, 0.5)]);
    expect(events.map((x) => [x.event, x.fenceId, x.tsMs, x.index])).toEqual([
      ['enter', 'A', 2, 1],
      ['exit', 'A', 4, 3],
    ]);
  });

  it('a point exactly on the boundary counts as outside', () => {
    const e = new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1) }]);
    expect(e.step([pos('v', 1, 0, 0.5), pos('v', 2, 1, 1)])).toEqual([]);
  });

  it('a fix older than the last one processed is history and raises nothing', () => {
    const e = new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1) }]);
    e.step([pos('v', 10, 2, 2)]);
    expect(e.step([pos('v', 5, 0.5, 0.5)])).toEqual([]);
    expect(e.insideOf('v')).toEqual([]);
  });

  it('exits come before enters at one position, each in fence-id order', () => {
    const e = new GeofenceEngine([
      { id: 'B', geometry: sq(0, 0, 1) },
      { id: 'A', geometry: sq(0, 0, 1) },
      { id: 'C', geometry: sq(2, 0, 1) },
    ]);
    e.step([pos('v', 1, 0.5, 0.5)]);
    const ev = e.step([pos('v', 2, 2.5, 0.5)]);
    expect(ev.map((x) => `${x.event}:${x.fenceId}`)).toEqual(['exit:A', 'exit:B', 'enter:C']);
  });

  it('restored membership means a vehicle already inside raises no second enter after a restart', () => {
    const e = new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1) }]);
    e.restoreMembership([{ vehicleId: 'v', fenceId: 'A', sinceMs: 1 }]);
    expect(e.step([pos('v', 2, 0.5, 0.5)])).toEqual([]);
    expect(e.step([pos('v', 3, 5, 5)]).map((x) => x.event)).toEqual(['exit']);
  });

  it('a deleted fence is left silently and an edited fence is used at once', () => {
    const e = new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1) }]);
    e.step([pos('v', 1, 0.5, 0.5)]);
    e.removeFence('A');
    expect(e.step([pos('v', 2, 5, 5)])).toEqual([]);
    e.upsertFence({ id: 'A', geometry: sq(4, 4, 2) });
    expect(e.step([pos('v', 3, 5, 5)]).map((x) => `${x.event}:${x.fenceId}`)).toEqual(['enter:A']);
  });

  it('an empty batch gives no events', () => {
    expect(new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1) }]).step([])).toEqual([]);
  });

  it('gives the same events as an exact check of every fence, on random fences and tracks', () => {
    const rand = mulberry32(7);
    const fences = Array.from({ length: 200 }, (_, i) => {
      // random convex-ish polygons, some with vertices on the grid the tracks use, to hit boundaries
      const cx = rand() * 10;
      const cy = rand() * 10;
      const r = 0.2 + rand() * 1.5;
      const n = 3 + Math.floor(rand() * 6);
      const ring = Array.from({ length: n }, (_, k) => {
        const a = (k / n) * Math.PI * 2;
        return [Math.round((cx + r * Math.cos(a)) * 4) / 4, Math.round((cy + r * Math.sin(a)) * 4) / 4];
      });
      ring.push(ring[0]!);
      return { id: `f${String(i).padStart(3, '0')}`, geometry: { type: 'Polygon' as const, coordinates: [ring] } };
    }).filter((f) => new Set(f.geometry.coordinates[0]!.slice(0, -1).map(String)).size >= 3);
    const positions: EnginePosition[] = [];
    for (let v = 0; v < 20; v++) {
      let x = rand() * 10;
      let y = rand() * 10;
      for (let t = 0; t < 300; t++) {
        x = Math.min(10, Math.max(0, x + (rand() - 0.5)));
        y = Math.min(10, Math.max(0, y + (rand() - 0.5)));
        // every third point snapped to the 0.25 grid, where fence edges and corners lie
        const snap = t % 3 === 0;
        positions.push(pos(`v${v}`, t * 1000, snap ? Math.round(x * 4) / 4 : x, snap ? Math.round(y * 4) / 4 : y));
      }
    }
    positions.sort((a, b) => a.tsMs - b.tsMs);
    const engine = new GeofenceEngine(fences);
    const got = engine.step(positions).map((e) => `${e.vehicleId} ${e.fenceId} ${e.event} ${e.tsMs}`);

    const expected: string[] = [];
    const inside = new Map<string, Set<string>>();
    for (const p of positions) {
      const was = inside.get(p.vehicleId) ?? new Set<string>();
      const now = new Set(
        fences
          .filter((f) => booleanPointInPolygon([p.lon, p.lat], { type: 'Polygon', coordinates: f.geometry.coordinates as number[][][] }, { ignoreBoundary: true }))
          .map((f) => f.id),
      );
      for (const id of [...was].filter((i) => !now.has(i)).sort()) expected.push(`${p.vehicleId} ${id} exit ${p.tsMs}`);
      for (const id of [...now].filter((i) => !was.has(i)).sort()) expected.push(`${p.vehicleId} ${id} enter ${p.tsMs}`);
      inside.set(p.vehicleId, now);
    }
    expect(expected.length).toBeGreaterThan(100);
    expect(got).toEqual(expected);
  });
});
