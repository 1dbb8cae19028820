// Spatial index over fences: a uniform grid, and for every cell a fence's box touches, what that cell
// is for the fence — wholly inside (the fence is listed with no test), wholly outside (the fence is
// not listed) or crossed by its boundary (box check, then the exact test). Most cells of a large zone
// are answered without any geometry, and a cell crossed by no boundary costs nothing at all.
// Boxes too big for the grid (regions, countries) sit in a short list checked one by one.
// A corridor is indexed segment by segment (one box around a long diagonal route would make every
// vehicle near it a candidate); polygons are prepared (edges in strips) for a fast exact test.
// Fences are numbered by slot; queries fill a reusable array of slots in fence-id order, so the
// engine's hot path allocates nothing.
import type { FenceGeometry, FenceRules } from '../../../shared/contract/fences';
import { EARTH_RADIUS_M, haversineM, M_PER_DEG } from '../geo/distance';
import { withCapacity } from '../util/typed';
import { bboxOf, distanceToLineM, distanceToSegmentM, metresPerDegreeLon } from './geometry';
import { firstEdge, preparedContains, preparePolygons, type PreparedPolygons } from './prepared';

const RAD = Math.PI / 180;

export interface IndexedFence {
  id: string;
  geometry: FenceGeometry;
  rules?: FenceRules;
}

const POLYGON = 0;
const CIRCLE = 1;
const SEGMENT = 2;

interface Entry {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  slot: number;
  /** For a corridor: the segment [start, start + 1] this box covers. */
  segment: number;
  /** What the exact test is, with its numbers ready (see exact). */
  kind: typeof POLYGON | typeof CIRCLE | typeof SEGMENT;
  prepared: PreparedPolygons | null;
  /** Circle: centre lon, lat, cos(lat), radius (m). Segment: x1, y1, x2, y2, half width (m). */
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  /** Position in FenceIndex.entries (what packed blocks refer to). */
  id: number;
  /** Grid cells holding this entry, as a test or as wholly inside, as row, column pairs (empty for a big entry). */
  cells: number[];
}

interface Slot {
  fence: IndexedFence;
  prepared: PreparedPolygons | null;
  entries: Entry[];
}

/** What one grid cell knows. */
interface Cell {
  /** Fences that contain the whole cell. */
  inside: number[];
  /** Entries whose boundary crosses the cell: box check, then the exact test. */
  tests: Entry[];
}

/**
 * A block's cells as flat arrays, which is what queries read (one object, few cache misses): cell i's
 * inside slots are inside[insideStart[i] .. insideStart[i + 1]), its tests likewise, with their boxes
 * as minX, minY, maxX, maxY. Rebuilt from the cells after a change, on the next query that needs it.
 */
interface PackedBlock {
  insideStart: Int32Array;
  inside: Int32Array;
  testStart: Int32Array;
  tests: Int32Array;
  boxes: Float64Array;
}

interface Block {
  cells: (Cell | undefined)[];
  packed: PackedBlock | null;
}

export const CELL_DEG = 0.001; // ~110 m of latitude, ~70 m of longitude at 52°
const MAX_CELLS_PER_ENTRY = 65_536; // bigger boxes (regions, long straight corridors) go to the big list
/** Cells are kept in blocks of BLOCK × BLOCK, found by a small-integer key (fast to hash). */
const BLOCK_BITS = 6;
const BLOCK = 1 << BLOCK_BITS;
const BLOCK_ROW = Math.ceil(360 / CELL_DEG / BLOCK) + 1; // block key = blockRow * BLOCK_ROW + blockColumn
/** Classification keeps this far (metres) from a circle's or corridor's edge: nearer, the exact test decides. */
const MARGIN_M = 0.5;

const NONE: readonly string[] = Object.freeze([]);

function cellCol(lon: number): number {
  return Math.floor((lon + 180) / CELL_DEG);
}
function cellRow(lat: number): number {
  return Math.floor((lat + 90) / CELL_DEG);
}

/** Does segment (x1,y1)-(x2,y2) touch the closed rectangle? */
function segmentTouchesRect(x1: number, y1: number, x2: number, y2: number, minX: number, minY: number, maxX: number, maxY: number): boolean {
  // Liang–Barsky clipping
  let t0 = 0;
  let t1 = 1;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const p = [-dx, dx, -dy, dy];
  const q = [x1 - minX, maxX - x1, y1 - minY, maxY - y1];
  for (let i = 0; i < 4; i++) {
    if (p[i] === 0) {
      if (q[i]! < 0) return false;
      continue;
    }
    const r = q[i]! / p[i]!;
    if (p[i]! < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
  }
  return true;
}

export class FenceIndex {
  private readonly slots: (Slot | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly byId = new Map<string, number>();
  private readonly blocks = new Map<number, Block>();
  private readonly entries: (Entry | undefined)[] = [];
  private readonly freeEntries: number[] = [];
  private readonly big: Entry[] = [];
  /** Query stamp per slot, to list a fence once when several of its boxes match. */
  private seen = new Uint32Array(1024);
  private stamp = 0;
  /** Each slot's position in fence-id order (recomputed lazily after fences change). */
  private rank = new Float64Array(1024);
  private ranksStale = false;
  /** The last query's answer: `resultCount` slots in fence-id order. Overwritten by the next query. */
  result = new Int32Array(64);
  resultCount = 0;

  constructor(fences: Iterable<IndexedFence> = []) {
    for (const f of fences) this.upsert(f);
  }

  get size(): number {
    return this.byId.size;
  }

  /** An existing cell, about to be changed: its block is packed again on the next query. */
  private cellToChange(r: number, c: number): Cell | undefined {
    const block = this.blocks.get((r >> BLOCK_BITS) * BLOCK_ROW + (c >> BLOCK_BITS));
    if (block === undefined) return undefined;
    block.packed = null;
    return block.cells[((r & (BLOCK - 1)) << BLOCK_BITS) | (c & (BLOCK - 1))];
  }

  private cellFor(r: number, c: number): Cell {
    const key = (r >> BLOCK_BITS) * BLOCK_ROW + (c >> BLOCK_BITS);
    let block = this.blocks.get(key);
    if (!block) this.blocks.set(key, (block = { cells: new Array<Cell | undefined>(BLOCK * BLOCK).fill(undefined), packed: null }));
    block.packed = null;
    const i = ((r & (BLOCK - 1)) << BLOCK_BITS) | (c & (BLOCK - 1));
    return (block.cells[i] ??= { inside: [], tests: [] });
  }

  private pack(block: Block): PackedBlock {
    let nInside = 0;
    let nTests = 0;
    for (const cell of block.cells) {
      if (!cell) continue;
      nInside += cell.inside.length;
      nTests += cell.tests.length;
    }
    const p: PackedBlock = {
      insideStart: new Int32Array(BLOCK * BLOCK + 1),
      inside: new Int32Array(nInside),
      testStart: new Int32Array(BLOCK * BLOCK + 1),
      tests: new Int32Array(nTests),
      boxes: new Float64Array(nTests * 4),
    };
    let a = 0;
    let t = 0;
    for (let i = 0; i < BLOCK * BLOCK; i++) {
      p.insideStart[i] = a;
      p.testStart[i] = t;
      const cell = block.cells[i];
      if (!cell) continue;
      for (const slot of cell.inside) p.inside[a++] = slot;
      for (const e of cell.tests) {
        p.tests[t] = e.id;
        p.boxes[t * 4] = e.minX;
        p.boxes[t * 4 + 1] = e.minY;
        p.boxes[t * 4 + 2] = e.maxX;
        p.boxes[t * 4 + 3] = e.maxY;
        t++;
      }
    }
    p.insideStart[BLOCK * BLOCK] = a;
    p.testStart[BLOCK * BLOCK] = t;
    block.packed = p;
    return p;
  }

  /** Slots are below this number. */
  get slotCapacity(): number {
    return this.slots.length;
  }

  slotOf(id: string): number | undefined {
    return this.byId.get(id);
  }

  idOf(slot: number): string {
    return this.slots[slot]!.fence.id;
  }

  /** Orders slots by fence id (for callers that keep slots: ranks change when fences are added). */
  rankOf(slot: number): number {
    if (this.ranksStale) this.rerank();
    return this.rank[slot]!;
  }

  private rerank(): void {
    const ids = [...this.byId.keys()].sort();
    ids.forEach((id, i) => (this.rank[this.byId.get(id)!] = i));
    this.ranksStale = false;
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

  /** Adds a fence, or replaces the one with the same id (which keeps its slot). */
  upsert(fence: IndexedFence): number {
    const existing = this.byId.get(fence.id);
    if (existing !== undefined) this.unindex(existing);
    const slot = existing ?? this.freeSlots.pop() ?? this.slots.length;
    const g = fence.geometry;
    const s: Slot = { fence, prepared: g.type === 'Polygon' || g.type === 'MultiPolygon' ? preparePolygons(g) : null, entries: [] };
    this.slots[slot] = s;
    this.byId.set(fence.id, slot);
    if (existing === undefined) this.ranksStale = true;
    this.seen = withCapacity(this.seen, slot + 1);
    this.rank = withCapacity(this.rank, slot + 1);
    for (const [minX, minY, maxX, maxY, segment] of this.boxesOf(g)) {
      const id = this.freeEntries.pop() ?? this.entries.length;
      const e: Entry = { id, minX, minY, maxX, maxY, slot, segment, cells: [], kind: POLYGON, prepared: s.prepared, a: 0, b: 0, c: 0, d: 0, e: 0 };
      if (g.type === 'Circle') {
        e.kind = CIRCLE;
        e.a = g.center[0];
        e.b = g.center[1];
        e.c = Math.cos(g.center[1] * RAD);
        e.d = g.radiusM;
      } else if (g.type === 'Corridor') {
        e.kind = SEGMENT;
        e.a = g.line[segment]![0]!;
        e.b = g.line[segment]![1]!;
        e.c = g.line[segment + 1]![0]!;
        e.d = g.line[segment + 1]![1]!;
        e.e = g.widthM / 2;
      }
      s.entries.push(e);
      this.entries[id] = e;
      const c0 = cellCol(minX);
      const c1 = cellCol(maxX);
      const r0 = cellRow(minY);
      const r1 = cellRow(maxY);
      if ((c1 - c0 + 1) * (r1 - r0 + 1) > MAX_CELLS_PER_ENTRY) {
        this.big.push(e);
        continue;
      }
      const kinds = this.classifyCells(s, e, c0, c1, r0, r1);
      for (let r = r0, i = 0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++, i++) {
          const kind = kinds[i]!;
          if (kind < 0) continue;
          const cell = this.cellFor(r, c);
          if (kind === 1) cell.inside.push(slot);
          else cell.tests.push(e);
          e.cells.push(r, c);
        }
      }
    }
    return slot;
  }

  /**
   * For each cell of the entry's box (row by row): 1 = wholly inside the fence, -1 = wholly outside,
   * 0 = the boundary may cross it. Conservative: anything uncertain is 0 and gets the exact test.
   */
  private classifyCells(s: Slot, e: Entry, c0: number, c1: number, r0: number, r1: number): Int8Array {
    const cols = c1 - c0 + 1;
    const kinds = new Int8Array(cols * (r1 - r0 + 1));
    const cellBox = (i: number): [number, number, number, number] => {
      const c = c0 + (i % cols);
      const r = r0 + Math.floor(i / cols);
      return [c * CELL_DEG - 180, r * CELL_DEG - 90, (c + 1) * CELL_DEG - 180, (r + 1) * CELL_DEG - 90];
    };
    const g = s.fence.geometry;
    if (g.type === 'Circle') {
      const [cx, cy] = g.center;
      for (let i = 0; i < kinds.length; i++) {
        const [x0, y0, x1, y1] = cellBox(i);
        const far = Math.max(haversineM(cx, cy, x0, y0), haversineM(cx, cy, x1, y0), haversineM(cx, cy, x0, y1), haversineM(cx, cy, x1, y1));
        // a small circle is convex: all four corners inside means the whole cell is
        if (far < g.radiusM - MARGIN_M) kinds[i] = 1;
        else if (haversineM(cx, cy, (x0 + x1) / 2, (y0 + y1) / 2) - halfDiagonalM(x0, y0, x1, y1) > g.radiusM + MARGIN_M) kinds[i] = -1;
      }
      return kinds;
    }
    if (g.type === 'Corridor') {
      const ab = [g.line[e.segment]!, g.line[e.segment + 1]!];
      const half = g.widthM / 2;
      for (let i = 0; i < kinds.length; i++) {
        const [x0, y0, x1, y1] = cellBox(i);
        const far = Math.max(distanceToLineM(x0, y0, ab), distanceToLineM(x1, y0, ab), distanceToLineM(x0, y1, ab), distanceToLineM(x1, y1, ab));
        // the band around one segment is convex; outside this segment's band the other segments may
        // still hold the point, so "outside" only drops this segment's entry, never the corridor
        if (far < half - MARGIN_M) kinds[i] = 1;
        else if (distanceToLineM((x0 + x1) / 2, (y0 + y1) / 2, ab) - halfDiagonalM(x0, y0, x1, y1) > half + MARGIN_M) kinds[i] = -1;
      }
      return kinds;
    }
    const p = s.prepared!;
    if (p.wrapped) return kinds; // across ±180: every cell gets the exact test
    // cells an edge touches (closed, widened by a hair against rounding) are boundary cells
    const boundary = new Uint8Array(kinds.length);
    const eps = 1e-9;
    for (const ed of p.polygons) {
      for (let k = firstEdge(ed); k < ed.length; k += 4) {
        const ex1 = ed[k]!;
        const ey1 = ed[k + 1]!;
        const ex2 = ed[k + 2]!;
        const ey2 = ed[k + 3]!;
        const ca = Math.max(c0, cellCol(Math.min(ex1, ex2) - eps));
        const cb = Math.min(c1, cellCol(Math.max(ex1, ex2) + eps));
        const ra = Math.max(r0, cellRow(Math.min(ey1, ey2) - eps));
        const rb = Math.min(r1, cellRow(Math.max(ey1, ey2) + eps));
        for (let r = ra; r <= rb; r++) {
          for (let c = ca; c <= cb; c++) {
            const i = (r - r0) * cols + (c - c0);
            if (boundary[i]) continue;
            const [x0, y0, x1, y1] = cellBox(i);
            if (segmentTouchesRect(ex1, ey1, ex2, ey2, x0 - eps, y0 - eps, x1 + eps, y1 + eps)) boundary[i] = 1;
          }
        }
      }
    }
    // no boundary in the cell: the whole cell is on the side its centre is on
    for (let i = 0; i < kinds.length; i++) {
      if (boundary[i]) continue;
      const [x0, y0, x1, y1] = cellBox(i);
      kinds[i] = preparedContains(p, (x0 + x1) / 2, (y0 + y1) / 2) ? 1 : -1;
    }
    return kinds;
  }

  remove(id: string): boolean {
    const slot = this.byId.get(id);
    if (slot === undefined) return false;
    this.unindex(slot);
    this.slots[slot] = undefined;
    this.freeSlots.push(slot);
    this.byId.delete(id);
    this.ranksStale = true;
    return true;
  }

  private unindex(slot: number): void {
    const s = this.slots[slot]!;
    for (const e of s.entries) {
      this.entries[e.id] = undefined;
      this.freeEntries.push(e.id);
      if (e.cells.length === 0) {
        const k = this.big.indexOf(e);
        if (k >= 0) this.big.splice(k, 1);
        continue;
      }
      for (let k = 0; k < e.cells.length; k += 2) {
        const cell = this.cellToChange(e.cells[k]!, e.cells[k + 1]!)!;
        const t = cell.tests.indexOf(e);
        if (t >= 0) cell.tests.splice(t, 1);
        else {
          const j = cell.inside.indexOf(slot);
          if (j >= 0) cell.inside.splice(j, 1);
        }
      }
    }
    s.entries = [];
  }

  // cos(latitude) of the point being queried, computed once per query when a test needs it (written as
  // haversineM and distanceToLineM write it: the two round differently)
  private qLat = NaN;
  private qCos = 0;
  private qKx = 0;

  /**
   * The exact test for one entry. A circle repeats haversineM's arithmetic step for step (so the answer
   * is the same to the last bit) and a segment is distanceToLineM's own step, with the cosines cached.
   */
  private exact(e: Entry, lon: number, lat: number): boolean {
    if (e.kind === POLYGON) return preparedContains(e.prepared!, lon, lat);
    if (lat !== this.qLat) {
      this.qLat = lat;
      this.qCos = Math.cos(lat * RAD);
      this.qKx = metresPerDegreeLon(lat);
    }
    if (e.kind === CIRCLE) {
      const dLat = (lat - e.b) * RAD;
      const dLon = (lon - e.a) * RAD;
      const h = Math.sin(dLat / 2) ** 2 + e.c * this.qCos * Math.sin(dLon / 2) ** 2;
      return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h))) < e.d;
    }
    return distanceToSegmentM(lon, lat, e.a, e.b, e.c, e.d, this.qKx) < e.e;
  }

  private add(slot: number): void {
    // a corridor matching on two neighbouring segments is listed once
    if (this.seen[slot] === this.stamp) return;
    this.seen[slot] = this.stamp;
    if (this.resultCount === this.result.length) this.result = withCapacity(this.result, this.resultCount + 1);
    this.result[this.resultCount++] = slot;
  }

  /**
   * Fences that strictly contain the point: `resultCount` slots in `result`, in no particular order
   * (see sortByRank). Returns the count.
   */
  query(lon: number, lat: number): number {
    this.resultCount = 0;
    const r = cellRow(lat);
    const c = cellCol(lon);
    const block = this.blocks.get((r >> BLOCK_BITS) * BLOCK_ROW + (c >> BLOCK_BITS));
    if (block === undefined && this.big.length === 0) return 0;
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    if (block !== undefined) {
      const p = block.packed ?? this.pack(block);
      const i = ((r & (BLOCK - 1)) << BLOCK_BITS) | (c & (BLOCK - 1));
      const inside = p.inside;
      for (let k = p.insideStart[i]!, end = p.insideStart[i + 1]!; k < end; k++) this.add(inside[k]!);
      const b = p.boxes;
      for (let k = p.testStart[i]!, end = p.testStart[i + 1]!; k < end; k++) {
        const q = k * 4;
        if (lon < b[q]! || lat < b[q + 1]! || lon > b[q + 2]! || lat > b[q + 3]!) continue;
        const e = this.entries[p.tests[k]!]!;
        if (this.seen[e.slot] !== this.stamp && this.exact(e, lon, lat)) this.add(e.slot);
      }
    }
    for (let i = 0; i < this.big.length; i++) {
      const e = this.big[i]!;
      if (lon < e.minX || lon > e.maxX || lat < e.minY || lat > e.maxY) continue;
      if (this.seen[e.slot] !== this.stamp && this.exact(e, lon, lat)) this.add(e.slot);
    }
    return this.resultCount;
  }

  /** Compares two slots by fence id. */
  readonly byRank = (a: number, b: number): number => this.rankOf(a) - this.rankOf(b);

  /** Puts slots[from .. from + n) in fence-id order (insertion sort: a point is in a handful of fences). */
  sortByRank(slots: Int32Array, from: number, n: number): void {
    if (n < 2) return;
    if (this.ranksStale) this.rerank();
    const rank = this.rank;
    for (let k = from + 1; k < from + n; k++) {
      const slot = slots[k]!;
      const r = rank[slot]!;
      let j = k - 1;
      while (j >= from && rank[slots[j]!]! > r) {
        slots[j + 1] = slots[j]!;
        j--;
      }
      slots[j + 1] = slot;
    }
  }

  /** Ids of fences that strictly contain the point, sorted. */
  containing(lon: number, lat: number): readonly string[] {
    const n = this.query(lon, lat);
    if (n === 0) return NONE;
    this.sortByRank(this.result, 0, n);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.slots[this.result[i]!]!.fence.id;
    return out;
  }
}

/** Half the diagonal of a lon/lat box, in metres (generous: measured at the box's wider edge). */
function halfDiagonalM(x0: number, y0: number, x1: number, y1: number): number {
  const lat = Math.min(Math.abs(y0), Math.abs(y1));
  const w = (x1 - x0) * metresPerDegreeLon(lat);
  const h = (y1 - y0) * M_PER_DEG;
  return Math.hypot(w, h) / 2;
}
