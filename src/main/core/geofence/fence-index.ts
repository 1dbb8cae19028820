// Spatial index over fence bounding boxes (rbush), then the exact test: cheap rejects first.
import RBush from 'rbush';
import type { FenceGeometry } from '../../../shared/types';
import { bboxOf, isStrictlyInside } from './geometry';

export interface IndexedFence {
  id: string;
  geometry: FenceGeometry;
}

interface Entry {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  fence: IndexedFence;
}

export class FenceIndex {
  private readonly tree = new RBush<Entry>();
  private readonly entries = new Map<string, Entry>();

  constructor(fences: Iterable<IndexedFence> = []) {
    const items: Entry[] = [];
    for (const f of fences) {
      const e = this.entryOf(f);
      this.entries.set(f.id, e);
      items.push(e);
    }
    this.tree.load(items);
  }

  private entryOf(fence: IndexedFence): Entry {
    const [minX, minY, maxX, maxY] = bboxOf(fence.geometry);
    return { minX, minY, maxX, maxY, fence };
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  upsert(fence: IndexedFence): void {
    this.remove(fence.id);
    const e = this.entryOf(fence);
    this.entries.set(fence.id, e);
    this.tree.insert(e);
  }

  remove(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.tree.remove(e);
    this.entries.delete(id);
    return true;
  }

  /** Ids of fences that strictly contain the point, sorted. */
  containing(lon: number, lat: number): string[] {
    const hits = this.tree.search({ minX: lon, minY: lat, maxX: lon, maxY: lat });
    const ids: string[] = [];
    for (const h of hits) if (isStrictlyInside(h.fence.geometry, lon, lat)) ids.push(h.fence.id);
    return ids.sort();
  }
}
