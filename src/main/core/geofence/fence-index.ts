// Spatial index over fence bounding boxes (rbush), then the exact test: cheap rejects first.
// A corridor is indexed segment by segment: one box around a long diagonal route would cover a large
// area and make every vehicle near it a candidate.
import RBush from 'rbush';
import type { FenceGeometry, FenceRules } from '../../../shared/types';
import { bboxOf, distanceToLineM, isStrictlyInside } from './geometry';

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
  fence: IndexedFence;
  /** For a corridor: the segment [start, start + 1] this box covers. */
  segment?: number;
}

const NONE: readonly string[] = Object.freeze([]);

export class FenceIndex {
  private readonly tree = new RBush<Entry>();
  private readonly entries = new Map<string, Entry[]>();

  constructor(fences: Iterable<IndexedFence> = []) {
    const items: Entry[] = [];
    for (const f of fences) {
      const es = this.entriesOf(f);
      this.entries.set(f.id, es);
      items.push(...es);
    }
    this.tree.load(items);
  }

  private entriesOf(fence: IndexedFence): Entry[] {
    const g = fence.geometry;
    if (g.type === 'Corridor') {
      const out: Entry[] = [];
      for (let i = 0; i + 1 < g.line.length; i++) {
        const [minX, minY, maxX, maxY] = bboxOf({ type: 'Corridor', line: [g.line[i]!, g.line[i + 1]!], widthM: g.widthM });
        out.push({ minX, minY, maxX, maxY, fence, segment: i });
      }
      return out;
    }
    const [minX, minY, maxX, maxY] = bboxOf(g);
    // a polygon across the antimeridian has maxX > 180: index both sides of ±180
    if (maxX > 180) return [{ minX, minY, maxX: 180, maxY, fence }, { minX: -180, minY, maxX: maxX - 360, maxY, fence }];
    return [{ minX, minY, maxX, maxY, fence }];
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  upsert(fence: IndexedFence): void {
    this.remove(fence.id);
    const es = this.entriesOf(fence);
    this.entries.set(fence.id, es);
    for (const e of es) this.tree.insert(e);
  }

  remove(id: string): boolean {
    const es = this.entries.get(id);
    if (!es) return false;
    for (const e of es) this.tree.remove(e);
    this.entries.delete(id);
    return true;
  }

  /** Ids of fences that strictly contain the point, sorted. */
  containing(lon: number, lat: number): readonly string[] {
    const hits = this.tree.search({ minX: lon, minY: lat, maxX: lon, maxY: lat });
    if (hits.length === 0) return NONE;
    const ids: string[] = [];
    for (const h of hits) {
      const g = h.fence.geometry;
      const inside =
        h.segment !== undefined && g.type === 'Corridor'
          ? distanceToLineM(lon, lat, [g.line[h.segment]!, g.line[h.segment + 1]!]) < g.widthM / 2
          : isStrictlyInside(g, lon, lat);
      // a corridor can match on two neighbouring segments: list it once
      if (inside && !ids.includes(h.fence.id)) ids.push(h.fence.id);
    }
    return ids.length > 1 ? ids.sort() : ids;
  }
}
