// Messages between the engine host (main thread) and the engine worker.
import type { EngineConfig } from '../../../shared/contract/rules';
import { GEOFENCE_EVENT_KINDS, type GeofenceColumns, type GeofenceEvent } from '../geofence/engine';
import type { IndexedFence } from '../geofence/fence-index';
import type { RuleInput } from '../rules/driving';
import type { ColumnOutput } from './fleet-engine';

/** A batch of fixes in columns, so the numbers travel as transferable typed arrays (NaN / -1 = unknown). */
export interface PositionColumns {
  vehicleIds: string[];
  tsMs: Float64Array;
  lon: Float64Array;
  lat: Float64Array;
  speedKmh: Float64Array;
  headingDeg: Float64Array;
  fuelLevelPct: Float64Array;
  coolantTempC: Float64Array;
  engineRpm: Float64Array;
  /** 1 on, 0 off, -1 unknown. */
  ignition: Int8Array;
  driverIds: (string | null)[];
  /** Only the fixes that report trouble codes: index → codes. */
  dtcCodes: [number, string[]][];
  /** 1 where the fix reported an empty list of trouble codes (known: none), 0 where it did not say. */
  dtcNone: Uint8Array;
}

const NO_CODES: readonly string[] = Object.freeze([]);

export type ToWorker =
  | { type: 'init'; fences: IndexedFence[]; membership: { vehicleId: string; fenceId: string; sinceMs: number }[]; config: EngineConfig }
  | { type: 'upsertFence'; fence: IndexedFence }
  | { type: 'removeFence'; id: string }
  | { type: 'config'; config: EngineConfig }
  | { type: 'positions'; seq: number; batch: PositionColumns };


export type FromWorker =
  | { type: 'ready'; fences: number }
  | { type: 'events'; seq: number; output: ColumnOutput; processed: number }
  | { type: 'error'; seq: number | null; message: string };

const num = (x: number | null) => (x === null ? NaN : x);
const orNull = (x: number) => (Number.isNaN(x) ? null : x);

export function toColumns(positions: readonly RuleInput[]): PositionColumns {
  const n = positions.length;
  const c: PositionColumns = {
    // filled by push, not `new Array(n)`: postMessage clones a holey array element by element through
    // the slow path (~2.5× the time for these two columns)
    vehicleIds: [],
    tsMs: new Float64Array(n),
    lon: new Float64Array(n),
    lat: new Float64Array(n),
    speedKmh: new Float64Array(n),
    headingDeg: new Float64Array(n),
    fuelLevelPct: new Float64Array(n),
    coolantTempC: new Float64Array(n),
    engineRpm: new Float64Array(n),
    ignition: new Int8Array(n),
    driverIds: [],
    dtcCodes: [],
    dtcNone: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const p = positions[i]!;
    c.vehicleIds.push(p.vehicleId);
    c.tsMs[i] = p.tsMs;
    c.lon[i] = p.lon;
    c.lat[i] = p.lat;
    c.speedKmh[i] = num(p.speedKmh);
    c.headingDeg[i] = num(p.headingDeg);
    c.fuelLevelPct[i] = num(p.fuelLevelPct);
    c.coolantTempC[i] = num(p.coolantTempC);
    c.engineRpm[i] = num(p.engineRpm);
    c.ignition[i] = p.ignition === null ? -1 : p.ignition ? 1 : 0;
    c.driverIds.push(p.driverId);
    // nearly every report says "no codes": a flag, not a nested array to clone per fix
    if (p.dtcCodes !== null) {
      if (p.dtcCodes.length === 0) c.dtcNone[i] = 1;
      else c.dtcCodes.push([i, [...p.dtcCodes]]);
    }
  }
  return c;
}

export function transferablesOf(c: PositionColumns): ArrayBuffer[] {
  return [c.tsMs, c.lon, c.lat, c.speedKmh, c.headingDeg, c.fuelLevelPct, c.coolantTempC, c.engineRpm, c.ignition, c.dtcNone].map((a) => a.buffer as ArrayBuffer);
}

export function fromColumns(c: PositionColumns): RuleInput[] {
  const n = c.vehicleIds.length;
  const dtc = new Map(c.dtcCodes);
  const out: RuleInput[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ig = c.ignition[i]!;
    out[i] = {
      vehicleId: c.vehicleIds[i]!,
      tsMs: c.tsMs[i]!,
      lon: c.lon[i]!,
      lat: c.lat[i]!,
      speedKmh: orNull(c.speedKmh[i]!),
      headingDeg: orNull(c.headingDeg[i]!),
      fuelLevelPct: orNull(c.fuelLevelPct[i]!),
      coolantTempC: orNull(c.coolantTempC[i]!),
      engineRpm: orNull(c.engineRpm[i]!),
      ignition: ig < 0 ? null : ig === 1,
      driverId: c.driverIds[i] ?? null,
      dtcCodes: dtc.get(i) ?? (c.dtcNone[i] === 1 ? NO_CODES : null),
    };
  }
  return out;
}


export function geofenceTransferables(c: GeofenceColumns): ArrayBuffer[] {
  return [c.index, c.event, c.sinceMs, c.fence].map((a) => a.buffer as ArrayBuffer);
}

/** The events again, with vehicle, fix time and place from the batch that caused them. */
export function decodeGeofence(c: GeofenceColumns, batch: readonly { vehicleId: string; tsMs: number; lon: number; lat: number }[]): GeofenceEvent[] {
  const n = c.index.length;
  const out: GeofenceEvent[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const i = c.index[k]!;
    const p = batch[i]!;
    out[k] = { vehicleId: p.vehicleId, fenceId: c.fenceIds[c.fence[k]!]!, event: GEOFENCE_EVENT_KINDS[c.event[k]!]!, tsMs: p.tsMs, sinceMs: c.sinceMs[k]!, lon: p.lon, lat: p.lat, index: i };
  }
  return out;
}
