// The geofence step: per-vehicle membership state plus a batch of positions in, enter/exit/dwell events out.
// Times are the telemetry's, never the wall clock, so replaying a file gives the same events as live.
import type { FenceRules } from '../../../shared/contract/fences';
import { isScheduleActive } from '../rules/schedule';
import { withCapacity } from '../util/typed';
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

/**
 * Geofence events in columns (there can be more events than positions): what a receiver holding the
 * batch cannot rebuild itself. Vehicle, fix time and place come from the position at `index`.
 */
export interface GeofenceColumns {
  index: Int32Array;
  /** 0 enter, 1 exit, 2 dwell. */
  event: Int8Array;
  sinceMs: Float64Array;
  /** Index into fenceIds. */
  fence: Int32Array;
  fenceIds: string[];
}

/** GeofenceColumns.event codes: the position in this list. */
export const GEOFENCE_EVENT_KINDS = ['enter', 'exit', 'dwell'] as const;
const EVENT_CODE = { enter: 0, exit: 1, dwell: 2 } as const satisfies Record<(typeof GEOFENCE_EVENT_KINDS)[number], number>;

/** Collects events straight into columns, for the worker to send (no object per event). */
export class GeofenceColumnSink {
  private n = 0;
  private index = new Int32Array(1024);
  private event = new Int8Array(1024);
  private sinceMs = new Float64Array(1024);
  private fence = new Int32Array(1024);
  private fenceIds: string[] = [];
  /** Per fence slot: its number in fenceIds, valid where localGen holds the current generation. */
  private localOf = new Int32Array(1024);
  private localGen = new Uint32Array(1024);
  private gen = 1;

  /** An event of the fence in `slot` of `index` (slots stay put during a batch). */
  add(i: number, event: GeofenceEvent['event'], sinceMs: number, slot: number, index: FenceIndex): void {
    if (slot >= this.localGen.length) {
      this.localOf = withCapacity(this.localOf, slot + 1);
      this.localGen = withCapacity(this.localGen, slot + 1);
    }
    let f: number;
    if (this.localGen[slot] === this.gen) f = this.localOf[slot]!;
    else {
      f = this.fenceIds.length;
      this.fenceIds.push(index.idOf(slot));
      this.localOf[slot] = f;
      this.localGen[slot] = this.gen;
    }
    const k = this.n++;
    if (k === this.index.length) {
      this.index = withCapacity(this.index, k + 1);
      this.event = withCapacity(this.event, k + 1);
      this.sinceMs = withCapacity(this.sinceMs, k + 1);
      this.fence = withCapacity(this.fence, k + 1);
    }
    this.index[k] = i;
    this.event[k] = EVENT_CODE[event];
    this.sinceMs[k] = sinceMs;
    this.fence[k] = f;
  }

  /** The events so far, in arrays of their own (transferable), and starts again. */
  take(): GeofenceColumns {
    const n = this.n;
    const out: GeofenceColumns = { index: this.index.slice(0, n), event: this.event.slice(0, n), sinceMs: this.sinceMs.slice(0, n), fence: this.fence.slice(0, n), fenceIds: this.fenceIds };
    this.n = 0;
    this.fenceIds = [];
    if (++this.gen === 0xffffffff) {
      this.localGen.fill(0);
      this.gen = 1;
    }
    return out;
  }
}

const PRE_BLOCK_DEG = 0.016;
const PRE_COLS = Math.ceil(360 / PRE_BLOCK_DEG) + 1;
const PRE_KEYS = PRE_COLS * (Math.ceil(180 / PRE_BLOCK_DEG) + 1);
/** Largest batch looked up ahead (key × PRE_MAX + index stays an exact integer in a double). */
const PRE_MAX = 1 << 20;

/** One vehicle's fence state (see GeofenceEngine.vehicle). */
export interface VehicleFenceState {
  /** Confirmed membership: fence slot (see FenceIndex) → since when (telemetry time). */
  inside: number[];
  /** When each of `inside` was entered, position by position. */
  since: number[];
  /** Crossings waiting out a fence's entry delay: fence slot → side and since when. */
  pending: Map<number, { inside: boolean; sinceMs: number }>;
  /** Fences whose dwell alert fired during the current visit. */
  dwelled: Set<number>;
  lastTsMs: number;
}

export class GeofenceEngine {
  private readonly index: FenceIndex;
  /** Rules by fence slot; `ruleCount` fences have any. */
  private readonly rules: (FenceRules | undefined)[] = [];
  private ruleCount = 0;
  private readonly vehicles = new Map<string, VehicleFenceState>();
  private exits: number[] = [];

  constructor(fences: Iterable<IndexedFence> = []) {
    this.index = new FenceIndex();
    for (const f of fences) this.upsertFence(f);
  }

  private setRules(slot: number, rules: FenceRules | undefined): void {
    const has = rules !== undefined && Object.keys(rules).length > 0;
    if (this.rules[slot] !== undefined) this.ruleCount--;
    this.rules[slot] = has ? rules : undefined;
    if (has) this.ruleCount++;
  }

  get fenceCount(): number {
    return this.index.size;
  }

  /** Restores remembered membership (after a restart) so vehicles already inside raise no new enter. */
  restoreMembership(rows: Iterable<{ vehicleId: string; fenceId: string; sinceMs: number }>): void {
    for (const r of rows) {
      const slot = this.index.slotOf(r.fenceId);
      if (slot === undefined) continue;
      const v = this.vehicle(r.vehicleId);
      const k = v.inside.indexOf(slot);
      if (k >= 0) v.since[k] = r.sinceMs;
      else {
        v.inside.push(slot);
        v.since.push(r.sinceMs);
      }
      v.lastTsMs = Math.max(v.lastTsMs, r.sinceMs);
    }
  }

  /** A new fence, or an edit (same id: same slot, so vehicles inside stay inside until a fix says otherwise). */
  upsertFence(fence: IndexedFence): void {
    const slot = this.index.upsert(fence);
    this.setRules(slot, fence.rules);
  }

  /** A deleted fence leaves silently: deleting is not the vehicle leaving. */
  removeFence(id: string): void {
    const slot = this.index.slotOf(id);
    if (slot === undefined) return;
    this.setRules(slot, undefined);
    for (const v of this.vehicles.values()) {
      const k = v.inside.indexOf(slot);
      if (k >= 0) {
        v.inside.splice(k, 1);
        v.since.splice(k, 1);
      }
      v.pending.delete(slot);
      v.dwelled.delete(slot);
    }
    this.index.remove(id);
  }

  /** The vehicle's state, created on first use (callers holding it skip the lookup in stepOne). */
  vehicle(vehicleId: string): VehicleFenceState {
    let v = this.vehicles.get(vehicleId);
    if (!v) {
      v = { inside: [], since: [], pending: new Map(), dwelled: new Set(), lastTsMs: -Infinity };
      this.vehicles.set(vehicleId, v);
    }
    return v;
  }

  private active(slot: number, tsMs: number): boolean {
    const s = this.rules[slot]?.schedule;
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
    this.prepare(batch);
    for (let i = 0; i < batch.length; i++) this.stepOne(batch[i]!, i, events);
    this.finish();
    return events;
  }

  // Which fences hold each position of a batch, looked up before the batch is stepped through: in
  // order of place rather than of time, so neighbouring lookups share the index's memory (about 1.5×
  // faster on a city-wide batch). The answer does not depend on order, only the state changes do.
  private preBatch: readonly EnginePosition[] | null = null;
  private preStart = new Int32Array(0);
  private preCount = new Int32Array(0);
  private preSlots = new Int32Array(4096);
  private preKeys = new Float64Array(0);

  /** Looks up every position of the batch ahead (see preBatch); stepOne then uses the answers. */
  prepare(batch: readonly EnginePosition[]): void {
    const n = batch.length;
    this.preBatch = null;
    if (n < 256 || n >= PRE_MAX) return; // small batches gain nothing
    if (this.preStart.length < n) {
      this.preStart = new Int32Array(n);
      this.preCount = new Int32Array(n);
      this.preKeys = new Float64Array(n);
    }
    const keys = this.preKeys.subarray(0, n);
    for (let i = 0; i < n; i++) {
      const p = batch[i]!;
      // blocks of ~1.8 km, row by row; NaN or out-of-range coordinates sort anywhere, harmlessly
      const row = Math.floor((p.lat + 90) / PRE_BLOCK_DEG);
      const col = Math.floor((p.lon + 180) / PRE_BLOCK_DEG);
      const key = row * PRE_COLS + col;
      keys[i] = Number.isFinite(key) && key >= 0 && key < PRE_KEYS ? key * PRE_MAX + i : PRE_KEYS * PRE_MAX + i;
    }
    keys.sort();
    const index = this.index;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const key = keys[k]!;
      const i = key - Math.floor(key / PRE_MAX) * PRE_MAX; // exact: PRE_MAX is a power of two
      const p = batch[i]!;
      const count = index.query(p.lon, p.lat);
      const pre = (this.preSlots = withCapacity(this.preSlots, at + count));
      const result = index.result;
      for (let j = 0; j < count; j++) pre[at + j] = result[j]!;
      this.preStart[i] = at;
      this.preCount[i] = count;
      at += count;
    }
    this.preBatch = batch;
  }

  /** Ends a batch begun with prepare (FleetEngine steps through it itself). */
  finish(): void {
    this.preBatch = null;
  }

  /** Per fence slot: stamped when the current position is inside it (markNow) or the vehicle was (markWas). */
  private markNow = new Uint32Array(1024);
  private markWas = new Uint32Array(1024);
  private markStamp = 0;

  /** One position (see step); returns false when it was stale and skipped. */
  stepOne(p: EnginePosition, i: number, events: GeofenceEvent[], v: VehicleFenceState = this.vehicle(p.vehicleId)): boolean {
    if (p.tsMs < v.lastTsMs) return false;
    v.lastTsMs = p.tsMs;
    const index = this.index;
    // the fences holding p: slots[from .. from + n)
    let slots: Int32Array;
    let from: number;
    let n: number;
    if (this.preBatch !== null && this.preBatch[i] === p) {
      slots = this.preSlots;
      from = this.preStart[i]!;
      n = this.preCount[i]!;
    } else {
      n = index.query(p.lon, p.lat);
      slots = index.result;
      from = 0;
    }
    // mark the fences holding p (marks are per-call stamps: nothing to clear)
    if (++this.markStamp === 0xffffffff) {
      this.markNow.fill(0);
      this.markWas.fill(0);
      this.markStamp = 1;
    }
    const stamp = this.markStamp;
    const markNow = (this.markNow = withCapacity(this.markNow, index.slotCapacity));
    this.markWas = withCapacity(this.markWas, index.slotCapacity);
    for (let k = from; k < from + n; k++) markNow[slots[k]!] = stamp;
    // Most positions change nothing: same fences as before, nothing pending, no allocation.
    const inside = v.inside;
    let same = n === inside.length;
    for (let k = 0; same && k < inside.length; k++) same = markNow[inside[k]!] === stamp;
    if (same && v.pending.size === 0 && (inside.length === 0 || this.ruleCount === 0)) return true;
    if (!same || v.pending.size > 0) {
      const markWas = this.markWas;
      for (let k = 0; k < inside.length; k++) markWas[inside[k]!] = stamp;
      index.sortByRank(slots, from, n); // enters come in fence-id order
      // a bounce: back on the confirmed side before the delay ran out
      if (v.pending.size > 0) {
        for (const [slot, pend] of v.pending) if (pend.inside === (markWas[slot] === stamp) || pend.inside !== (markNow[slot] === stamp)) v.pending.delete(slot);
      }
      const exits = this.exits;
      exits.length = 0;
      for (let k = 0; k < inside.length; k++) if (markNow[inside[k]!] !== stamp) exits.push(inside[k]!);
      if (exits.length > 1) exits.sort(index.byRank);
      for (let k = 0; k < exits.length; k++) {
        const slot = exits[k]!;
        const since = this.settle(v, slot, false, p.tsMs);
        if (since === null) continue;
        // swap-remove: membership has no order
        const at = inside.indexOf(slot);
        const last = inside.length - 1;
        inside[at] = inside[last]!;
        v.since[at] = v.since[last]!;
        inside.pop();
        v.since.pop();
        if (v.dwelled.size > 0) v.dwelled.delete(slot);
        this.emit(events, p, i, slot, 'exit', since);
      }
      for (let k = from; k < from + n; k++) {
        const slot = slots[k]!;
        if (markWas[slot] === stamp) continue;
        const since = this.settle(v, slot, true, p.tsMs);
        if (since === null) continue;
        inside.push(slot);
        v.since.push(since);
        this.emit(events, p, i, slot, 'enter', since);
      }
    }
    if (inside.length > 0 && this.ruleCount > 0) {
      let dwells: number[] | null = null;
      for (let k = 0; k < inside.length; k++) {
        const slot = inside[k]!;
        const min = this.rules[slot]?.dwellAlertMin;
        if (min === undefined || v.dwelled.has(slot) || p.tsMs - v.since[k]! < min * 60_000) continue;
        v.dwelled.add(slot);
        (dwells ??= []).push(slot);
      }
      if (dwells) {
        dwells.sort(index.byRank);
        for (const slot of dwells) this.emit(events, p, i, slot, 'dwell', v.since[inside.indexOf(slot)]!);
      }
    }
    return true;
  }

  /** When set, events go here instead of into the events array (see FleetEngine.stepToColumns). */
  sink: GeofenceColumnSink | null = null;

  private emit(events: GeofenceEvent[], p: EnginePosition, i: number, slot: number, event: GeofenceEvent['event'], sinceMs: number): void {
    if (!this.active(slot, p.tsMs)) return;
    if (this.sink) this.sink.add(i, event, sinceMs, slot, this.index);
    else events.push({ vehicleId: p.vehicleId, fenceId: this.index.idOf(slot), event, tsMs: p.tsMs, sinceMs, lon: p.lon, lat: p.lat, index: i });
  }

  /**
   * A crossing of fence `slot` to side `inside` seen at tsMs: returns since when it counts if it fires
   * now, or null while it waits out the fence's entry delay.
   */
  private settle(v: VehicleFenceState, slot: number, inside: boolean, tsMs: number): number | null {
    const delayS = this.rules[slot]?.entryDelayS;
    if (!delayS) return tsMs;
    const pend = v.pending.get(slot);
    if (!pend) {
      v.pending.set(slot, { inside, sinceMs: tsMs });
      return null;
    }
    if (tsMs - pend.sinceMs < delayS * 1000) return null;
    v.pending.delete(slot);
    return pend.sinceMs;
  }

  /** The lowest speed limit of the fences the vehicle is in whose schedule is active, or null. */
  speedLimitAt(vehicleId: string, tsMs: number): number | null {
    const v = this.vehicles.get(vehicleId);
    return v ? this.speedLimitIn(v, tsMs) : null;
  }

  /** speedLimitAt for a vehicle's state already in hand. */
  speedLimitIn(v: VehicleFenceState, tsMs: number): number | null {
    if (v.inside.length === 0 || this.ruleCount === 0) return null;
    let limit: number | null = null;
    for (const slot of v.inside) {
      const l = this.rules[slot]?.speedLimitKmh;
      if (l !== undefined && (limit === null || l < limit) && this.active(slot, tsMs)) limit = l;
    }
    return limit;
  }

  insideOf(vehicleId: string): string[] {
    return (this.vehicles.get(vehicleId)?.inside ?? []).map((slot) => this.index.idOf(slot)).sort();
  }
}
