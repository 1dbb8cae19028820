// Spatial index over fence bounding boxes, then the exact test: cheap rejects first.
// A uniform grid (cells of CELL_DEG degrees, hashed by cell) answers "which boxes may contain this
// point" with one map lookup; boxes too big for the grid sit in a short list checked one by one.
// A corridor is indexed segment by segment (one box around a long diagonal route would make every
// vehicle near it a candidate); polygons are prepared (edges in strips) for a fast exact test.
import type { FenceGeometry, FenceRules } from '../../../shared/types';
import { bboxOf, distanceToLineM, isStrictlyInside } from './geometry';
import { preparedContains, preparePolygons, type PreparedPolygons } from './prepared';

export interface IndexedFence {
  id: string;
  geometry: FenceGeometry;
  rules?: FenceRules;
}

interface Entry {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  slot: number;
  /** For a corridor: the segment [start, start + 1] this box covers. */
  segment: number;
  /** Grid cells holding this entry (empty for a big entry). */
  cells: number[];
}

interface Slot {
  fence: IndexedFence;
  prepared: PreparedPolygons | null;
  entries: Entry[];
}

const CELL_DEG = 0.005; // ~550 m of latitude
const MAX_CELLS_PER_ENTRY = 1024; // bigger boxes (regions, long straight corridors) go to the big list
const ROW = 80_000; // > 360 / CELL_DEG: cell key = row * ROW + column

const NONE: readonly string[] = Object.freeze([]);

function cellCol(lon: number): number {
  return Math.floor((lon + 180) / CELL_DEG);
}
function cellRow(lat: number): number {
  return Math.floor((lat + 90) / CELL_DEG);
}

export class FenceIndex {
  private readonly slots: (Slot | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly byId = new Map<string, number>();
  private readonly grid = new Map<number, Entry[]>();
  /** Per cell, its entries' boxes packed as minX, minY, maxX, maxY (rebuilt lazily after a change). */
  private readonly packed = new Map<number, Float64Array>();
  private readonly big: Entry[] = [];
  /** Query stamp per slot, to list a fence once when several of its boxes match. */
  private seen = new Uint32Array(1024);
  private stamp = 0;

  constructor(fences: Iterable<IndexedFence> = []) {
    for (const f of fences) this.upsert(f);
  }

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  private boxesOf(g: FenceGeometry): [number, number, number, number, number][] {
    if (g.type === 'Corridor') {
      const out: [number, number, number, number, number][] = [];
      for (let i = 0; i + 1 < g.line.length; i++) {
        const [minX, minY, maxX, maxY] = bboxOf({ type: 'Corridor', line: [g.line[i]!, g.line[i + 1]!], widthM: g.widthM });
        out.push([minX, minY, maxX, maxY, i]);
      }
      return out;
    }
    const [minX, minY, maxX, maxY] = bboxOf(g);
    // a polygon across the antimeridian has maxX > 180: index both sides of ±180
    if (maxX > 180) return [[minX, minY, 180, maxY, -1], [-180, minY, maxX - 360, maxY, -1]];
    return [[minX, minY, maxX, maxY, -1]];
  }

  upsert(fence: IndexedFence): void {
    this.remove(fence.id);
    const slot = this.freeSlots.pop() ?? this.slots.length;
    const g = fence.geometry;
    const s: Slot = { fence, prepared: g.type === 'Polygon' || g.type === 'MultiPolygon' ? preparePolygons(g) : null, entries: [] };
    this.slots[slot] = s;
    this.byId.set(fence.id, slot);
    if (slot >= this.seen.length) {
      const grown = new Uint32Array(this.seen.length * 2);
      grown.set(this.seen);
      this.seen = grown;
    }
    for (const [minX, minY, maxX, maxY, segment] of this.boxesOf(g)) {
      const e: Entry = { minX, minY, maxX, maxY, slot, segment, cells: [] };
      s.entries.push(e);
      const c0 = cellCol(minX);
      const c1 = cellCol(maxX);
      const r0 = cellRow(minY);
      const r1 = cellRow(maxY);
      if ((c1 - c0 + 1) * (r1 - r0 + 1) > MAX_CELLS_PER_ENTRY) {
        this.big.push(e);
        continue;
      }
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const key = r * ROW + c;
          let list = this.grid.get(key);
          if (!list) this.grid.set(key, (list = []));
          list.push(e);
          e.cells.push(key);
          this.packed.delete(key);
        }
      }
    }
  }

  remove(id: string): boolean {
    const slot = this.byId.get(id);
    if (slot === undefined) return false;
    const s = this.slots[slot]!;
    for (const e of s.entries) {
      if (e.cells.length === 0) {
        this.big.splice(this.big.indexOf(e), 1);
        continue;
      }
      for (const key of e.cells) {
        const list = this.grid.get(key)!;
        list.splice(list.indexOf(e), 1);
        this.packed.delete(key);
        if (list.length === 0) this.grid.delete(key);
      }
    }
    this.slots[slot] = undefined;
    this.freeSlots.push(slot);
    this.byId.delete(id);
    return true;
  }

  private packedOf(key: number, list: Entry[]): Float64Array {
    let boxes = this.packed.get(key);
    if (!boxes) {
      boxes = new Float64Array(list.length * 4);
      list.forEach((e, i) => boxes!.set([e.minX, e.minY, e.maxX, e.maxY], i * 4));
      this.packed.set(key, boxes);
    }
    return boxes;
  }

  private test(e: Entry, lon: number, lat: number, out: string[]): void {
    if (lon < e.minX || lon > e.maxX || lat < e.minY || lat > e.maxY) return;
    this.testExact(e, lon, lat, out);
  }

  private testExact(e: Entry, lon: number, lat: number, out: string[]): void {
    if (this.seen[e.slot] === this.stamp) return;
    const s = this.slots[e.slot]!;
    const g = s.fence.geometry;
    const inside =
      e.segment >= 0 && g.type === 'Corridor'
        ? distanceToLineM(lon, lat, [g.line[e.segment]!, g.line[e.segment + 1]!]) < g.widthM / 2
        : s.prepared
          ? preparedContains(s.prepared, lon, lat)
          : isStrictlyInside(g, lon, lat);
    if (!inside) return;
    this.seen[e.slot] = this.stamp; // a corridor matching on two neighbouring segments is listed once
    out.push(s.fence.id);
  }

  /** Ids of fences that strictly contain the point, sorted. */
  containing(lon: number, lat: number): readonly string[] {
    const key = cellRow(lat) * ROW + cellCol(lon);
    const cell = this.grid.get(key);
    if (!cell && this.big.length === 0) return NONE;
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const out: string[] = [];
    if (cell) {
      const b = this.packedOf(key, cell);
      for (let i = 0, k = 0; i < cell.length; i++, k += 4) {
        if (lon >= b[k]! && lat >= b[k + 1]! && lon <= b[k + 2]! && lat <= b[k + 3]!) this.testExact(cell[i]!, lon, lat, out);
      }
    }
    for (let i = 0; i < this.big.length; i++) this.test(this.big[i]!, lon, lat, out);
    if (out.length === 0) return NONE;
    return out.length > 1 ? out.sort() : out;
  }
}
