// The ingest domain's SQL (telemetry, vehicles, dead_letters): what ingest writes; history, privacy and reports read the points here.
import type Database from 'better-sqlite3';
import type { DeadLetter } from '../../../shared/contract/ingest';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';

/** Dead-letter payloads are kept up to this size; the original size is recorded. */
export const DEAD_LETTER_MAX_BYTES = 4096;
/** vehicles.last_seen_ms is kept to within this (it is a record, not the live state). */
const VEHICLE_SEEN_EVERY_MS = 60_000;

export interface DeadLetterInput {
  receivedMs: number;
  source: string;
  topic: string | null;
  reason: string;
  payload: Uint8Array;
  /** Size of the original payload when `payload` is already cut short. */
  payloadBytes?: number;
}

export interface TelemetryRow {
  vehicle_id: string;
  ts_ms: number;
  lat: number;
  lon: number;
  speed_kmh: number | null;
  heading_deg: number | null;
  fuel_level_pct: number | null;
  engine_rpm: number | null;
  odometer_km: number | null;
  dtc_codes: string | null;
  hdop: number | null;
  satellites: number | null;
  coolant_temp_c: number | null;
  ignition: number | null;
  driver_id: string | null;
  received_ms: number;
  attributes?: string | null;
}

export function pointFromRow(r: TelemetryRow): TelemetryPoint {
  return {
    vehicleId: r.vehicle_id,
    tsMs: r.ts_ms,
    lat: r.lat,
    lon: r.lon,
    speedKmh: r.speed_kmh,
    headingDeg: r.heading_deg,
    fuelLevelPct: r.fuel_level_pct,
    engineRpm: r.engine_rpm,
    odometerKm: r.odometer_km,
    dtcCodes: r.dtc_codes ? (JSON.parse(r.dtc_codes) as string[]) : [],
    hdop: r.hdop,
    satellites: r.satellites,
    coolantTempC: r.coolant_temp_c,
    ignition: r.ignition === null ? null : r.ignition === 1,
    driverId: r.driver_id,
    ...(r.attributes ? { attributes: JSON.parse(r.attributes) as Record<string, string | number | boolean> } : {}),
  };
}

/** A point on its way into storage, with its quality verdict and origin. */
export interface IncomingPoint {
  point: TelemetryPoint;
  /** Empty when trusted; otherwise why not (see core/telemetry/quality.ts). */
  flags: string[];
  source: string;
}

export interface StoredBatchResult {
  /** Points that were new; duplicates (same vehicle and fix time) are left out. */
  inserted: IncomingPoint[];
  duplicates: number;
}


export class TelemetryRepo {
  private readonly stmts;
  /** When this process last wrote each vehicle's row (see writeBatch). */
  private readonly vehicleSeenMs = new Map<string, number>();
  constructor(readonly db: Database.Database) {
    this.stmts = {
      insertTelemetry: this.db.prepare(
        `INSERT OR IGNORE INTO telemetry (vehicle_id, ts_ms, lat, lon, speed_kmh, heading_deg, fuel_level_pct,
           engine_rpm, odometer_km, dtc_codes, hdop, satellites, coolant_temp_c, ignition, driver_id, received_ms,
           quality, source, attributes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertVehicle: this.db.prepare(
        `INSERT INTO vehicles (id, first_seen_ms, last_seen_ms) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`,
      ),
      insertDeadLetter: this.db.prepare(
        `INSERT INTO dead_letters (received_ms, source, topic, reason, payload, payload_bytes) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** Stores points and dead letters in one transaction. */
  writeBatch(points: readonly IncomingPoint[], deadLetters: readonly DeadLetterInput[], receivedMs: number): StoredBatchResult {
    const inserted: IncomingPoint[] = [];
    const vehicles = new Set<string>();
    let duplicates = 0;
    const s = this.stmts;
    this.db.transaction(() => {
      for (const incoming of points) {
        const p = incoming.point;
        const res = s.insertTelemetry.run(
          p.vehicleId,
          p.tsMs,
          p.lat,
          p.lon,
          p.speedKmh,
          p.headingDeg,
          p.fuelLevelPct,
          p.engineRpm,
          p.odometerKm,
          p.dtcCodes.length ? JSON.stringify(p.dtcCodes) : null,
          p.hdop,
          p.satellites,
          p.coolantTempC,
          p.ignition === null ? null : p.ignition ? 1 : 0,
          p.driverId,
          receivedMs,
          incoming.flags.length ? incoming.flags.join(',') : null,
          incoming.source,
          p.attributes && Object.keys(p.attributes).length ? JSON.stringify(p.attributes) : null,
        );
        if (res.changes === 1) {
          inserted.push(incoming);
          vehicles.add(p.vehicleId);
        } else {
          duplicates++;
        }
      }
      // the vehicles table only records that a vehicle exists and roughly when it was last seen: once per
      // vehicle a minute is enough (every batch would double the writes with 10,000 vehicles reporting)
      for (const id of vehicles) {
        const last = this.vehicleSeenMs.get(id);
        if (last !== undefined && receivedMs - last < VEHICLE_SEEN_EVERY_MS) continue;
        s.upsertVehicle.run(id, receivedMs, receivedMs);
        this.vehicleSeenMs.set(id, receivedMs);
      }
      for (const d of deadLetters) {
        const kept = d.payload.byteLength > DEAD_LETTER_MAX_BYTES ? d.payload.subarray(0, DEAD_LETTER_MAX_BYTES) : d.payload;
        s.insertDeadLetter.run(d.receivedMs, d.source, d.topic, d.reason, Buffer.from(kept), d.payloadBytes ?? d.payload.byteLength);
      }
    })();
    return { inserted, duplicates };
  }

  /** When the newest report of any vehicle was stored (null: none yet). */
  newestSeenMs(): number | null {
    return (this.db.prepare(`SELECT max(last_seen_ms) FROM vehicles`).pluck().get() as number | null) ?? null;
  }

  /** Whether any report of this vehicle was ever stored. */
  knownVehicle(vehicleId: string): boolean {
    return this.db.prepare(`SELECT 1 FROM vehicles WHERE id = ?`).get(vehicleId) !== undefined;
  }

  vehicleIds(): string[] {
    return this.db.prepare(`SELECT id FROM vehicles ORDER BY id`).pluck().all() as string[];
  }

  /** Trusted fixes in a time range, vehicle by vehicle in time order (for distances and analytics). */
  *trustedFixes(fromMs: number, toMs: number): Generator<{ vehicleId: string; tsMs: number; lat: number; lon: number; odometerKm: number | null; driverId: string | null }> {
    const ids = this.vehicleIds();
    const stmt = this.db.prepare(
      `SELECT ts_ms, lat, lon, odometer_km, driver_id FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? AND quality IS NULL ORDER BY ts_ms`,
    );
    for (const vehicleId of ids) {
      for (const r of stmt.iterate(vehicleId, fromMs, toMs) as IterableIterator<{ ts_ms: number; lat: number; lon: number; odometer_km: number | null; driver_id: string | null }>) {
        yield { vehicleId, tsMs: r.ts_ms, lat: r.lat, lon: r.lon, odometerKm: r.odometer_km, driverId: r.driver_id };
      }
    }
  }

  /** The newest trusted point of each vehicle, with when it was received. */
  latestPoints(): { point: TelemetryPoint; receivedMs: number }[] {
    const rows = this.db
      .prepare(
        `SELECT t.* FROM telemetry t
         JOIN (SELECT vehicle_id, max(ts_ms) AS ts_ms FROM telemetry WHERE quality IS NULL GROUP BY vehicle_id) m
           ON m.vehicle_id = t.vehicle_id AND m.ts_ms = t.ts_ms`,
      )
      .all() as TelemetryRow[];
    return rows.map((r) => ({ point: pointFromRow(r), receivedMs: r.received_ms }));
  }

  /** The stored point at or just before a time (trusted or not), for the replay cursor. */
  pointAt(vehicleId: string, tsMs: number): { point: TelemetryPoint; quality: string | null; source: string | null } | null {
    const r = this.db.prepare(`SELECT * FROM telemetry WHERE vehicle_id = ? AND ts_ms <= ? ORDER BY ts_ms DESC LIMIT 1`).get(vehicleId, tsMs) as
      | (TelemetryRow & { quality: string | null; source: string | null })
      | undefined;
    return r ? { point: pointFromRow(r), quality: r.quality, source: r.source } : null;
  }

  /** Every trusted point of a vehicle in a range, in time order, as columns. */
  rawTrack(vehicleId: string, fromMs: number, toMs: number): { tsMs: Float64Array; lat: Float64Array; lon: Float64Array; speedKmh: (number | null)[]; odometerKm: (number | null)[]; driverId: (string | null)[] } {
    const rows = this.db
      .prepare(`SELECT ts_ms, lat, lon, speed_kmh, odometer_km, driver_id FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? AND quality IS NULL ORDER BY ts_ms`)
      .raw()
      .all(vehicleId, fromMs, toMs) as [number, number, number, number | null, number | null, string | null][];
    const n = rows.length;
    const out = { tsMs: new Float64Array(n), lat: new Float64Array(n), lon: new Float64Array(n), speedKmh: new Array<number | null>(n), odometerKm: new Array<number | null>(n), driverId: new Array<string | null>(n) };
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      out.tsMs[i] = r[0];
      out.lat[i] = r[1];
      out.lon[i] = r[2];
      out.speedKmh[i] = r[3];
      out.odometerKm[i] = r[4];
      out.driverId[i] = r[5];
    }
    return out;
  }

  /** Points the drift filter flagged, newest last, at most `limit`; and how many there are in all. */
  flaggedPoints(vehicleId: string, fromMs: number, toMs: number, limit: number): { points: { tsMs: number; lat: number; lon: number; quality: string; driverId: string | null }[]; total: number } {
    const total = (this.db.prepare(`SELECT count(*) AS n FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? AND quality IS NOT NULL`).get(vehicleId, fromMs, toMs) as { n: number }).n;
    const points = (
      this.db
        .prepare(`SELECT ts_ms, lat, lon, quality, driver_id FROM telemetry WHERE vehicle_id = ? AND ts_ms >= ? AND ts_ms < ? AND quality IS NOT NULL ORDER BY ts_ms LIMIT ?`)
        .all(vehicleId, fromMs, toMs, limit) as { ts_ms: number; lat: number; lon: number; quality: string; driver_id: string | null }[]
    ).map((r) => ({ tsMs: r.ts_ms, lat: r.lat, lon: r.lon, quality: r.quality, driverId: r.driver_id }));
    return { points, total };
  }

  deadLetters(limit: number): DeadLetter[] {
    const rows = this.db
      .prepare(`SELECT * FROM dead_letters ORDER BY id DESC LIMIT ?`)
      .all(limit) as {
      id: number;
      received_ms: number;
      source: string;
      topic: string | null;
      reason: string;
      payload: Buffer;
      payload_bytes: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      receivedMs: r.received_ms,
      source: r.source,
      topic: r.topic,
      reason: r.reason,
      payloadText: r.payload.toString('utf8'),
      payloadBytes: r.payload_bytes,
    }));
  }

  /** Dead-letter reasons since a time, with counts. */
  deadLetterReasons(sinceMs: number): { reason: string; count: number }[] {
    return this.db.prepare(`SELECT reason, count(*) AS count FROM dead_letters WHERE received_ms >= ? GROUP BY reason ORDER BY count DESC LIMIT 5000`).all(sinceMs) as {
      reason: string;
      count: number;
    }[];
  }
}
