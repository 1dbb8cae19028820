// What a depot sends its headquarters: one MQTT message per batch of committed rows, on
// `fleetdesk/<depot id>/<stream>` at QoS 1 — JSON, gzip-compressed, with where the batch sits in the
// depot's stream (so a batch sent again is recognised) and how far behind the depot's forwarding is.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RuleSettings } from '../../../shared/contract/rules';

export const FEDERATION_STREAMS = ['telemetry', 'changes', 'driving', 'visits'] as const;
export type FederationStream = (typeof FEDERATION_STREAMS)[number];
/** Bigger decompressed batches are refused (a depot sends at most a few MB). */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;
export const DEPOT_ID = /^[A-Za-z0-9_-]{1,32}$/;

export function batchTopic(depotId: string, stream: FederationStream): string {
  return `fleetdesk/${depotId}/${stream}`;
}

/** A driving event as sent: [id, type, vehicle, driver, tsMs, startMs, severity, value, threshold, lat, lon]. */
export type DrivingWireRow = [number, string, string, string | null, number, number, number, number, number, number, number];

/** A geofence event as sent: [id, vehicle, fence id, 'enter' | 'exit' | 'dwell', tsMs, sinceMs, fence name]. */
export type VisitWireRow = [number, string, string, string, number, number, string | null];

/** `fleetdesk/<depot>/<stream>` → its parts, or null. */
export function parseBatchTopic(topic: string): { depotId: string; stream: FederationStream } | null {
  const m = /^fleetdesk\/([^/]+)\/([^/]+)$/.exec(topic);
  if (!m || !DEPOT_ID.test(m[1]!) || !(FEDERATION_STREAMS as readonly string[]).includes(m[2]!)) return null;
  return { depotId: m[1]!, stream: m[2] as FederationStream };
}

/**
 * One telemetry row as sent: [id, vehicle, tsMs, lat, lon, speedKmh, headingDeg, fuelPct, rpm, odometerKm,
 * dtc JSON, hdop, satellites, coolantC, ignition 0/1, driver, quality flags, source, attributes JSON].
 */
export type TelemetryWireRow = [number, string, number, number, number, ...(number | string | null)[]];

export interface Batch {
  v: 1;
  depot: string;
  stream: FederationStream;
  /** The depot's row ids (telemetry) or change ids (changes) this batch covers: (fromId, toId]. */
  fromId: number;
  toId: number;
  sentMs: number;
  /** The newest fix the depot has committed, and what it still has to forward after this batch. */
  depotNewestMs: number | null;
  backlogRows: number;
  backlogOldestMs: number | null;
  rows: unknown[];
  /** Changes stream: jobs (each whole: its row, stops and timeline) and driver messages, in their state now. */
  jobs?: JobWire[];
  messages?: MessageWireRow[];
}

/** A job as sent: the depot's id, its columns (JOB_COLUMNS), its stops (STOP_COLUMNS) and timeline (EVENT_COLUMNS). */
export interface JobWire {
  id: number;
  job: unknown[];
  stops: unknown[][];
  events: unknown[][];
}
/** A driver message as sent: [depot's id, …MESSAGE_COLUMNS]. */
export type MessageWireRow = [number, ...unknown[]];

export function encodeBatch(b: Batch): Buffer {
  return encodeJson(b);
}

/** A batch, or why the message is not one (kept as a dead letter by the receiver). */
export function decodeBatch(payload: Buffer): Batch | string {
  let text: string;
  try {
    text = gunzipSync(payload, { maxOutputLength: MAX_BATCH_BYTES }).toString('utf8');
  } catch (err) {
    return `not a gzip batch (${(err as Error).message})`;
  }
  let b: Partial<Batch>;
  try {
    b = JSON.parse(text) as Partial<Batch>;
  } catch {
    return 'not JSON inside the gzip';
  }
  if (typeof b !== 'object' || b === null || b.v !== 1) return 'unknown batch version';
  if (typeof b.depot !== 'string' || !DEPOT_ID.test(b.depot)) return 'missing or bad depot id';
  if (!(FEDERATION_STREAMS as readonly string[]).includes(b.stream as string)) return 'unknown stream';
  if (!Number.isSafeInteger(b.fromId) || !Number.isSafeInteger(b.toId) || b.toId! < b.fromId!) return 'bad id range';
  if (!Array.isArray(b.rows)) return 'rows missing';
  return b as Batch;
}

/** Where headquarters puts a depot's fences (retained, so a depot that connects later gets the latest). */
export function fencePushTopic(depotId: string): string {
  return `fleetdesk/${depotId}/push/fences`;
}

/** Fences (with their rules) headquarters pushes to a depot, as one version. */
export interface FencePush {
  v: 1;
  depot: string;
  version: number;
  sentMs: number;
  by: string;
  fences: { id: string; name: string; category: string; color: string; geometry: unknown; rules: unknown }[];
}

export function encodeJson(x: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(x)), { level: 6 });
}

/** A push from headquarters unpacked (gzip JSON, bounded), or why it is not one ("not a gzip JSON <what> (…)"). */
function unpackPush<T>(payload: Buffer, what: string): { p: Partial<T> } | string {
  try {
    return { p: JSON.parse(gunzipSync(payload, { maxOutputLength: MAX_BATCH_BYTES }).toString('utf8')) as Partial<T> };
  } catch (err) {
    return `not a gzip JSON ${what} (${(err as Error).message})`;
  }
}

/** A fence push, or why the message is not one. */
export function decodeFencePush(payload: Buffer): FencePush | string {
  const u = unpackPush<FencePush>(payload, 'fence push');
  if (typeof u === 'string') return u;
  const { p } = u;
  if (typeof p !== 'object' || p === null || p.v !== 1 || !Number.isSafeInteger(p.version) || !Array.isArray(p.fences) || typeof p.by !== 'string') return 'not a fence push';
  return p as FencePush;
}

/** Where headquarters puts a depot's rules (retained, like its fences). */
export function rulesPushTopic(depotId: string): string {
  return `fleetdesk/${depotId}/push/rules`;
}

/** Headquarters' rules as one version for a depot (its vehicle → class map is not sent: the depot keeps its own). */
export interface RulePush {
  v: 1;
  depot: string;
  version: number;
  sentMs: number;
  by: string;
  rules: Omit<RuleSettings, 'engine'> & { engine: Omit<RuleSettings['engine'], 'vehicleClass'> };
}

/** A rules push, or why the message is not one (its settings are checked when applied, as if saved there). */
export function decodeRulePush(payload: Buffer): RulePush | string {
  const u = unpackPush<RulePush>(payload, 'rules push');
  if (typeof u === 'string') return u;
  const { p } = u;
  if (typeof p !== 'object' || p === null || p.v !== 1 || !Number.isSafeInteger(p.version) || typeof p.by !== 'string' || typeof p.depot !== 'string') return 'not a rules push';
  const r = p.rules;
  if (typeof r !== 'object' || r === null || typeof r.engine !== 'object' || r.engine === null || typeof r.engine.classes !== 'object' || typeof r.alerts !== 'object' || r.alerts === null || typeof r.penalties !== 'object') return 'a rules push without engine, alerts and penalties';
  return p as RulePush;
}
