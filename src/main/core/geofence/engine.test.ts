import { describe, expect, it } from 'vitest';
import { booleanPointInPolygon } from '@turf/turf';
import type { FenceGeometry } from '../../../shared/contract/fences';
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

describe('fence rules', () => {
  const ev = (events: { event: string; fenceId: string; tsMs: number; sinceMs: number }[]) => events.map((x) => [x.event, x.fenceId, x.tsMs, x.sinceMs]);

  it('entry delay: a bounce at the edge raises nothing; a real entry fires after the delay, dated from the crossing', () => {
    const e = new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1), rules: { entryDelayS: 10 } }]);
    // in for 5 s, out again: nothing
    expect(e.step([pos('v', 0, -0.1, 0.5), pos('v', 1000, 0.1, 0.5), pos('v', 5000, 0.1, 0.5), pos('v', 6000, -0.1, 0.5)])).toEqual([]);
    // in at 20 s, still in at 25 s (not yet), at 30 s: enter since 20 s
    expect(ev(e.step([pos('v', 20_000, 0.1, 0.5), pos('v', 25_000, 0.2, 0.5), pos('v', 30_000, 0.3, 0.5)]))).toEqual([['enter', 'A', 30_000, 20_000]]);
    // the same delay on the way out
    expect(e.step([pos('v', 40_000, 1.1, 0.5), pos('v', 45_000, 0.9, 0.5)])).toEqual([]);
    expect(ev(e.step([pos('v', 50_000, 1.1, 0.5), pos('v', 61_000, 1.2, 0.5)]))).toEqual([['exit', 'A', 61_000, 50_000]]);
    expect(e.insideOf('v')).toEqual([]);
  });

  it('dwell: one alert per visit after N minutes inside, counted in telemetry time', () => {
    const e = new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1), rules: { dwellAlertMin: 10 } }]);
    const inside = [0, 5, 9.99, 10, 11, 20].map((m) => pos('v', m * 60_000, 0.5, 0.5));
    expect(ev(e.step(inside))).toEqual([
      ['enter', 'A', 0, 0],
      ['dwell', 'A', 600_000, 0],
    ]);
    // leave and come back: a new visit, a new dwell
    const again = [pos('v', 21 * 60_000, 2, 2), pos('v', 22 * 60_000, 0.5, 0.5), pos('v', 33 * 60_000, 0.5, 0.5)];
    expect(ev(e.step(again)).map((x) => x[0])).toEqual(['exit', 'enter', 'dwell']);
  });

  it('schedule: crossings outside the active window are tracked but raise nothing', () => {
    // weekdays 07:00–19:00 London
    const schedule = { days: [1, 2, 3, 4, 5], startMin: 420, endMin: 1140, timeZone: 'Europe/London' };
    const e = new GeofenceEngine([{ id: 'A', geometry: sq(0, 0, 1), rules: { schedule } }]);
    const sat = Date.UTC(2026, 0, 10, 12); // a Saturday
    const mon = Date.UTC(2026, 0, 12, 12); // a Monday
    expect(e.step([pos('v', sat, 0.5, 0.5)])).toEqual([]);
    expect(e.insideOf('v')).toEqual(['A']); // membership kept: no enter on Monday for a vehicle already inside
    expect(ev(e.step([pos('v', mon, 0.5, 0.5), pos('v', mon + 1000, 2, 2)]))).toEqual([['exit', 'A', mon + 1000, mon + 1000]]);
  });

  it('speed limits: the lowest limit of the fences a vehicle is in, while their schedule is active', () => {
    const e = new GeofenceEngine([
      { id: 'town', geometry: sq(0, 0, 10), rules: { speedLimitKmh: 50 } },
      { id: 'school', geometry: sq(1, 1, 1), rules: { speedLimitKmh: 30, schedule: { days: [1, 2, 3, 4, 5], startMin: 480, endMin: 960, timeZone: 'UTC' } } },
    ]);
    const mon = Date.UTC(2026, 0, 12, 9);
    e.step([pos('v', mon, 1.5, 1.5)]);
    expect(e.speedLimitAt('v', mon)).toBe(30);
    expect(e.speedLimitAt('v', mon + 10 * 3_600_000)).toBe(50); // 19:00: school zone off
    e.step([pos('v', mon + 1000, 20, 20)]);
    expect(e.speedLimitAt('v', mon + 1000)).toBeNull();
  });

  it('a polygon across the antimeridian contains points on both sides of ±180°', () => {
    // around Fiji: 175°E to 175°W
    const fiji: FenceGeometry = { type: 'Polygon', coordinates: [[[175, -20], [-175, -20], [-175, -15], [175, -15], [175, -20]]] };
    const e = new GeofenceEngine([{ id: 'F', geometry: fiji }]);
    const events = e.step([pos('v', 1, 178, -17), pos('v', 2, -178, -17), pos('v', 3, 179.9, -17), pos('v', 4, 0, -17), pos('w', 1, -170, -17), pos('x', 1, 170, -17)]);
    expect(events.map((x) => [x.vehicleId, x.event, x.tsMs])).toEqual([
      ['v', 'enter', 1],
      ['v', 'exit', 4],
    ]);
  });
});

describe('the fence index at city scale', () => {
  it('gives the answer of an exact test of every fence, for every fence type, on and around the grid the index uses', async () => {
    const { FenceIndex, CELL_DEG } = await import('./fence-index');
    const { isStrictlyInside } = await import('./geometry');
    const { preparePolygons, preparedContains } = await import('./prepared');
    const rand = mulberry32(11);
    const LON0 = -1.9;
    const LAT0 = 52.48;
    const mPerDegLat = 111_195;
    const mPerDegLon = mPerDegLat * Math.cos((LAT0 * Math.PI) / 180);
    const fences: { id: string; geometry: FenceGeometry }[] = [];
    for (let i = 0; i < 300; i++) {
      const cx = LON0 + (rand() - 0.5) * 0.06;
      const cy = LAT0 + (rand() - 0.5) * 0.04;
      const kind = i % 5;
      const r = kind === 4 ? 400 + rand() * 1500 : 30 + rand() * 300; // metres; every fifth a large zone
      const ring = (rx: number, n: number, x = cx, y = cy) => {
        const pts = Array.from({ length: n }, (_, k) => {
          const a = (k / n) * Math.PI * 2;
          const rr = rx * (0.7 + rand() * 0.3);
          return [x + (rr * Math.cos(a)) / mPerDegLon, y + (rr * Math.sin(a)) / mPerDegLat];
        });
        return [...pts, pts[0]!];
      };
      if (kind === 0) fences.push({ id: `c${i}`, geometry: { type: 'Circle', center: [cx, cy], radiusM: r } });
      else if (kind === 1) {
        const line = [[cx, cy]];
        for (let k = 0; k < 4; k++) line.push([line[k]![0]! + ((rand() - 0.5) * 800) / mPerDegLon, line[k]![1]! + ((rand() - 0.5) * 800) / mPerDegLat]);
        fences.push({ id: `r${i}`, geometry: { type: 'Corridor', line, widthM: 20 + rand() * 80 } });
      } else if (kind === 2) fences.push({ id: `h${i}`, geometry: { type: 'Polygon', coordinates: [ring(r * 2, 12), ring(r * 0.6, 6)] } });
      else if (kind === 3) fences.push({ id: `m${i}`, geometry: { type: 'MultiPolygon', coordinates: [[ring(r, 8)], [ring(r, 5, cx + (3 * r) / mPerDegLon, cy)]] } });
      else fences.push({ id: `z${i}`, geometry: { type: 'Polygon', coordinates: [ring(r, 40)] } });
    }
    const index = new FenceIndex(fences);
    // The reference: each fence's own exact test, fence by fence. For polygons that is the prepared
    // ray cast: at an edge's midpoint (within 1e-16° of the line) two correct algorithms may round to
    // different sides, so another library would not be a fair judge there.
    const exact = fences.map((f) => {
      const g = f.geometry;
      if (g.type === 'Polygon' || g.type === 'MultiPolygon') {
        const p = preparePolygons(g);
        return (x: number, y: number) => preparedContains(p, x, y);
      }
      return (x: number, y: number) => isStrictlyInside(g, x, y);
    });
    const points: [number, number][] = [];
    for (let k = 0; k < 20_000; k++) points.push([LON0 + (rand() - 0.5) * 0.07, LAT0 + (rand() - 0.5) * 0.05]);
    // exactly on grid lines and corners, where a cell's class must hold for its closed box
    for (let k = 0; k < 5_000; k++) {
      const x = Math.round((LON0 + (rand() - 0.5) * 0.07 + 180) / CELL_DEG) * CELL_DEG - 180;
      const y = Math.round((LAT0 + (rand() - 0.5) * 0.05 + 90) / CELL_DEG) * CELL_DEG - 90;
      points.push([x, y], [x + (rand() - 0.5) * CELL_DEG, y], [x, y + (rand() - 0.5) * CELL_DEG]);
    }
    // on and right next to polygon vertices and edges
    for (const f of fences) {
      if (f.geometry.type !== 'Polygon') continue;
      const ring = f.geometry.coordinates[0]!;
      for (let k = 0; k + 1 < ring.length; k++) {
        const [x1, y1] = ring[k]!;
        const [x2, y2] = ring[k + 1]!;
        points.push([x1!, y1!], [(x1! + x2!) / 2, (y1! + y2!) / 2], [x1! + 1e-9, y1!], [x1!, y1! - 1e-9]);
      }
    }
    let hits = 0;
    const kindsHit = new Set<string>();
    const wrong: string[] = [];
    for (const [x, y] of points) {
      const got = index.containing(x, y);
      const want = fences.filter((_, k) => exact[k]!(x, y)).map((f) => f.id).sort();
      hits += want.length;
      for (const id of want) kindsHit.add(id[0]!);
      if (got.join() !== want.join()) wrong.push(`${x},${y}: ${got.join()} ≠ ${want.join()}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(hits).toBeGreaterThan(10_000);
    expect([...kindsHit].sort()).toEqual(['c', 'h', 'm', 'r', 'z']);
  });

  it('a polygon whose top is one horizontal edge: just below it is inside, on it and above it outside', async () => {
    // (the prepared strips once dropped an edge lying exactly at the polygon's highest latitude, so the
    // grid cells along it were taken for wholly outside: found on the real WMATA bus replay)
    const { FenceIndex } = await import('./fence-index');
    const cx = -77.08;
    const cy = 38.93;
    const rad = 0.0046;
    const ring = Array.from({ length: 6 }, (_, k) => [cx + rad * Math.cos((k * Math.PI) / 3), cy + rad * 0.78 * Math.sin((k * Math.PI) / 3)]);
    ring.push(ring[0]!);
    const index = new FenceIndex([{ id: 'H', geometry: { type: 'Polygon', coordinates: [ring] } }]);
    const top = ring[1]![1]!;
    for (let x = ring[2]![0]! + 1e-5; x < ring[1]![0]!; x += 0.0002) {
      expect(index.containing(x, top - 1e-7)).toEqual(['H']);
      expect(index.containing(x, top + 1e-7)).toEqual([]);
    }
    expect(index.containing((ring[1]![0]! + ring[2]![0]!) / 2, ring[2]![1]!)).toEqual([]);
  });

  it('edits and deletes reach the grid: a moved fence answers at its new place only, a deleted one nowhere', async () => {
    const { FenceIndex } = await import('./fence-index');
    const index = new FenceIndex([{ id: 'Z', geometry: { type: 'Circle', center: [-1.9, 52.48], radiusM: 2000 } }]);
    expect(index.containing(-1.9, 52.48)).toEqual(['Z']);
    index.upsert({ id: 'Z', geometry: { type: 'Circle', center: [-1.5, 52.48], radiusM: 2000 } });
    expect(index.containing(-1.9, 52.48)).toEqual([]);
    expect(index.containing(-1.5, 52.48)).toEqual(['Z']);
    index.remove('Z');
    expect(index.containing(-1.5, 52.48)).toEqual([]);
    expect(index.size).toBe(0);
  });
});
