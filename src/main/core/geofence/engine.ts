// The geofence step: per-vehicle membership state plus a batch of positions in, enter/exit events out.
import { FenceIndex, type IndexedFence } from './fence-index';

export interface EnginePosition {
  vehicleId: string;
  /** Fix time, UTC epoch ms. */
  tsMs: number;
  lon: number;
  lat: number;
}

export interface GeofenceEvent {
  vehicleId: string;
  fenceId: string;
  event: 'enter' | 'exit';
  /** Fix time of the position that crossed, UTC epoch ms. */
  tsMs: number;
  lon: number;
  lat: number;
  /** Index of the causing position in its batch. */
  index: number;
}

interface VehicleFenceState {
  inside: Set<string>;
  lastTsMs: number;
}

export class GeofenceEngine {
  private readonly index: FenceIndex;
  private readonly vehicles = new Map<string, VehicleFenceState>();

  constructor(fences: Iterable<IndexedFence> = []) {
    this.index = new FenceIndex(fences);
  }

  get fenceCount(): number {
    return this.index.size;
  }

  /** Restores remembered membership (after a restart) so vehicles already inside raise no new enter. */
  restoreMembership(rows: Iterable<{ vehicleId: string; fenceId: string; sinceMs: number }>): void {
    for (const r of rows) {
      if (!this.index.has(r.fenceId)) continue;
      const v = this.stateOf(r.vehicleId);
      v.inside.add(r.fenceId);
      v.lastTsMs = Math.max(v.lastTsMs, r.sinceMs);
    }
  }

  upsertFence(fence: IndexedFence): void {
    this.index.upsert(fence);
  }

  /** A deleted fence leaves silently: deleting is not the vehicle leaving. */
  removeFence(id: string): void {
    this.index.remove(id);
    for (const v of this.vehicles.values()) v.inside.delete(id);
  }

  private stateOf(vehicleId: string): VehicleFenceState {
    let v = this.vehicles.get(vehicleId);
    if (!v) {
      v = { inside: new Set(), lastTsMs: -Infinity };
      this.vehicles.set(vehicleId, v);
    }
    return v;
  }

  /**
   * Processes positions in the order given (callers sort each vehicle's positions by time).
   * A position older than the vehicle's last processed one is skipped: it is history, not a crossing.
   * Per position, exits come before enters, each in fence-id order.
   */
  step(batch: readonly EnginePosition[]): GeofenceEvent[] {
    const events: GeofenceEvent[] = [];
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const v = this.stateOf(p.vehicleId);
      if (p.tsMs < v.lastTsMs) continue;
      v.lastTsMs = p.tsMs;
      const now = this.index.containing(p.lon, p.lat);
      // Most positions change nothing: same fences as before, no allocation.
      if (now.length === v.inside.size && now.every((id) => v.inside.has(id))) continue;
      const nowSet = new Set(now);
      const exits = [...v.inside].filter((id) => !nowSet.has(id)).sort();
      for (const id of exits) {
        v.inside.delete(id);
        events.push({ vehicleId: p.vehicleId, fenceId: id, event: 'exit', tsMs: p.tsMs, lon: p.lon, lat: p.lat, index: i });
      }
      for (const id of now) {
        if (v.inside.has(id)) continue;
        v.inside.add(id);
        events.push({ vehicleId: p.vehicleId, fenceId: id, event: 'enter', tsMs: p.tsMs, lon: p.lon, lat: p.lat, index: i });
      }
    }
    return events;
  }

  insideOf(vehicleId: string): string[] {
    return [...(this.vehicles.get(vehicleId)?.inside ?? [])].sort();
  }
}
