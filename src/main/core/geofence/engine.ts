// The geofence step: per-vehicle membership state plus a batch of positions in, enter/exit/dwell events out.
// Times are the telemetry's, never the wall clock, so replaying a file gives the same events as live.
import type { FenceRules } from '../../../shared/types';
import { isScheduleActive } from '../rules/schedule';
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
  event: 'enter' | 'exit' | 'dwell';
  /** Fix time of the position that made the event fire, UTC epoch ms. */
  tsMs: number;
  /** When the vehicle crossed into (enter, dwell) or out of (exit) the fence; earlier than tsMs with an entry delay. */
  sinceMs: number;
  lon: number;
  lat: number;
  /** Index of the causing position in its batch. */
  index: number;
}

interface VehicleFenceState {
  /** Confirmed membership: fence id → since when (telemetry time). */
  inside: Map<string, number>;
  /** Crossings waiting out a fence's entry delay: fence id → side and since when. */
  pending: Map<string, { inside: boolean; sinceMs: number }>;
  /** Fences whose dwell alert fired during the current visit. */
  dwelled: Set<string>;
  lastTsMs: number;
}

export class GeofenceEngine {
  private readonly index: FenceIndex;
  private readonly rules = new Map<string, FenceRules>();
  private readonly vehicles = new Map<string, VehicleFenceState>();

  constructor(fences: Iterable<IndexedFence> = []) {
    const list = [...fences];
    this.index = new FenceIndex(list);
    for (const f of list) this.setRules(f);
  }

  private setRules(f: IndexedFence): void {
    if (f.rules && Object.keys(f.rules).length > 0) this.rules.set(f.id, f.rules);
    else this.rules.delete(f.id);
  }

  get fenceCount(): number {
    return this.index.size;
  }

  /** Restores remembered membership (after a restart) so vehicles already inside raise no new enter. */
  restoreMembership(rows: Iterable<{ vehicleId: string; fenceId: string; sinceMs: number }>): void {
    for (const r of rows) {
      if (!this.index.has(r.fenceId)) continue;
      const v = this.stateOf(r.vehicleId);
      v.inside.set(r.fenceId, r.sinceMs);
      v.lastTsMs = Math.max(v.lastTsMs, r.sinceMs);
    }
  }

  upsertFence(fence: IndexedFence): void {
    this.index.upsert(fence);
    this.setRules(fence);
  }

  /** A deleted fence leaves silently: deleting is not the vehicle leaving. */
  removeFence(id: string): void {
    this.index.remove(id);
    this.rules.delete(id);
    for (const v of this.vehicles.values()) {
      v.inside.delete(id);
      v.pending.delete(id);
      v.dwelled.delete(id);
    }
  }

  private stateOf(vehicleId: string): VehicleFenceState {
    let v = this.vehicles.get(vehicleId);
    if (!v) {
      v = { inside: new Map(), pending: new Map(), dwelled: new Set(), lastTsMs: -Infinity };
      this.vehicles.set(vehicleId, v);
    }
    return v;
  }

  private active(fenceId: string, tsMs: number): boolean {
    const s = this.rules.get(fenceId)?.schedule;
    return !s || isScheduleActive(s, tsMs);
  }

  /**
   * Processes positions in the order given (callers sort each vehicle's positions by time).
   * A position older than the vehicle's last processed one is skipped: it is history, not a crossing.
   * Per position, exits come before enters, then dwells, each in fence-id order. Without rules the
   * events are exactly those of an exact point-in-fence test against every fence (boundary = outside).
   */
  step(batch: readonly EnginePosition[]): GeofenceEvent[] {
    const events: GeofenceEvent[] = [];
    for (let i = 0; i < batch.length; i++) this.stepOne(batch[i]!, i, events);
    return events;
  }

  /** One position (see step); returns false when it was stale and skipped. */
  stepOne(p: EnginePosition, i: number, events: GeofenceEvent[]): boolean {
    const v = this.stateOf(p.vehicleId);
    if (p.tsMs < v.lastTsMs) return false;
    v.lastTsMs = p.tsMs;
    const now = this.index.containing(p.lon, p.lat);
    // Most positions change nothing: same fences as before, nothing pending, no allocation.
    let same = now.length === v.inside.size;
    for (let k = 0; same && k < now.length; k++) same = v.inside.has(now[k]!);
    if (same && v.pending.size === 0 && (v.inside.size === 0 || this.rules.size === 0)) return true;
    const emit = (fenceId: string, event: GeofenceEvent['event'], sinceMs: number) => this.emit(events, p, i, fenceId, event, sinceMs);
    if (!same || v.pending.size > 0) {
      // a bounce: back on the confirmed side before the delay ran out
      for (const [id, pend] of v.pending) if (pend.inside === v.inside.has(id) || pend.inside !== now.includes(id)) v.pending.delete(id);
      let exits: string[] | null = null;
      for (const id of v.inside.keys()) if (!now.includes(id)) (exits ??= []).push(id);
      if (exits) {
        if (exits.length > 1) exits.sort();
        for (const id of exits) {
          const since = this.settle(v, id, false, p.tsMs);
          if (since === null) continue;
          v.inside.delete(id);
          v.dwelled.delete(id);
          emit(id, 'exit', since);
        }
      }
      for (const id of now) {
        if (v.inside.has(id)) continue;
        const since = this.settle(v, id, true, p.tsMs);
        if (since === null) continue;
        v.inside.set(id, since);
        emit(id, 'enter', since);
      }
    }
    if (v.inside.size > 0 && this.rules.size > 0) {
      for (const [id, since] of v.inside) {
        const min = this.rules.get(id)?.dwellAlertMin;
        if (min === undefined || v.dwelled.has(id) || p.tsMs - since < min * 60_000) continue;
        v.dwelled.add(id);
        emit(id, 'dwell', since);
      }
    }
    return true;
  }

  private emit(events: GeofenceEvent[], p: EnginePosition, i: number, fenceId: string, event: GeofenceEvent['event'], sinceMs: number): void {
    if (this.active(fenceId, p.tsMs)) events.push({ vehicleId: p.vehicleId, fenceId, event, tsMs: p.tsMs, sinceMs, lon: p.lon, lat: p.lat, index: i });
  }

  /**
   * A crossing of fence `id` to side `inside` seen at tsMs: returns since when it counts if it fires
   * now, or null while it waits out the fence's entry delay.
   */
  private settle(v: VehicleFenceState, id: string, inside: boolean, tsMs: number): number | null {
    const delayS = this.rules.get(id)?.entryDelayS;
    if (!delayS) return tsMs;
    const pend = v.pending.get(id);
    if (!pend) {
      v.pending.set(id, { inside, sinceMs: tsMs });
      return null;
    }
    if (tsMs - pend.sinceMs < delayS * 1000) return null;
    v.pending.delete(id);
    return pend.sinceMs;
  }

  /** The lowest speed limit of the fences the vehicle is in whose schedule is active, or null. */
  speedLimitAt(vehicleId: string, tsMs: number): number | null {
    const v = this.vehicles.get(vehicleId);
    if (!v || v.inside.size === 0 || this.rules.size === 0) return null;
    let limit: number | null = null;
    for (const id of v.inside.keys()) {
      const l = this.rules.get(id)?.speedLimitKmh;
      if (l !== undefined && (limit === null || l < limit) && this.active(id, tsMs)) limit = l;
    }
    return limit;
  }

  insideOf(vehicleId: string): string[] {
    return [...(this.vehicles.get(vehicleId)?.inside.keys() ?? [])].sort();
  }
}
