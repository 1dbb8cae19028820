// SQLite persistence for telemetry, vehicles, dead letters, geofences and alerts; all SQL is parameterised.
import Database from 'better-sqlite3';
import type { Alert, AlertQuery, AlertSeverity, AlertType, Suppression } from '../../../shared/contract/alerts';
import type { DrivingEvent, DriverAssignment } from '../../../shared/contract/drivers';
import type { FenceSchedule, FenceGeometry, FenceRules, Geofence, GeofenceCategory } from '../../../shared/contract/fences';
import type { FenceVisit } from '../../../shared/contract/history';
import type { DeadLetter } from '../../../shared/contract/ingest';
import type { PrivacyRule, PrivacyRuleInput } from '../../../shared/contract/privacy';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';

const MIGRATIONS: string[] = [
  `
  -- A rowid table plus a unique index: measured 1.8x faster to insert than a WITHOUT ROWID table keyed
  -- on (vehicle_id, ts_ms) with 10,000 interleaved vehicles (wide rows are costly to move in a random-key
  -- B-tree). The index also makes a redelivered message (same vehicle, same time) a no-op.
  CREATE TABLE telemetry (
    id INTEGER PRIMARY KEY,
    vehicle_id TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    speed_kmh REAL,
    heading_deg REAL,
    fuel_level_pct REAL,
    engine_rpm REAL,
    odometer_km REAL,
    dtc_codes TEXT,
    hdop REAL,
    satellites INTEGER,
    coolant_temp_c REAL,
    ignition INTEGER,
    driver_id TEXT,
    received_ms INTEGER NOT NULL,
    -- why a point is not trusted (comma-separated flags), NULL when it is
    quality TEXT,
    -- mqtt, osmand, …
    source TEXT,
    -- extra device fields as JSON
    attributes TEXT
  );
  CREATE UNIQUE INDEX telemetry_vehicle_ts ON telemetry(vehicle_id, ts_ms);

  CREATE TABLE vehicles (
    id TEXT PRIMARY KEY,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
  );

  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY,
    received_ms INTEGER NOT NULL,
    source TEXT NOT NULL,
    topic TEXT,
    reason TEXT NOT NULL,
    payload BLOB NOT NULL,
    payload_bytes INTEGER NOT NULL
  );

  CREATE TABLE geofences (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    color TEXT NOT NULL,
    geometry TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
  );

  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    vehicle_id TEXT NOT NULL,
    fence_id TEXT,
    fence_name TEXT,
    ts_ms INTEGER NOT NULL,
    raised_ms INTEGER NOT NULL,
    message TEXT NOT NULL,
    lat REAL,
    lon REAL,
    acknowledged_ms INTEGER,
    acknowledged_by TEXT
  );
  CREATE INDEX alerts_open ON alerts(acknowledged_ms, id);

  -- which fences each vehicle is inside, so a restart does not raise every enter again
  CREATE TABLE vehicle_fence_state (
    vehicle_id TEXT NOT NULL,
    fence_id TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    PRIMARY KEY (vehicle_id, fence_id)
  ) WITHOUT ROWID;
  `,
  `
  -- per-vehicle broker credentials: secrets only as scrypt hashes
  CREATE TABLE device_credentials (
    vehicle_id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  -- de-duplication: one open alert per (vehicle, type, fence), counting repeats
  ALTER TABLE alerts ADD COLUMN repeat_count INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE alerts ADD COLUMN last_seen_ms INTEGER;
  UPDATE alerts SET last_seen_ms = ts_ms;
  CREATE INDEX alerts_dedupe ON alerts(vehicle_id, type, fence_id) WHERE acknowledged_ms IS NULL;
  `,
  `
  -- fence rules; alert resolve, suppression and escalation; driving events; raw fence crossings
  ALTER TABLE geofences ADD COLUMN rules TEXT;
  ALTER TABLE alerts ADD COLUMN resolved_ms INTEGER;
  ALTER TABLE alerts ADD COLUMN resolved_by TEXT;
  ALTER TABLE alerts ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE alerts ADD COLUMN escalated_ms INTEGER;
  CREATE INDEX alerts_time ON alerts(ts_ms);
  CREATE TABLE driving_events (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    vehicle_id TEXT NOT NULL,
    driver_id TEXT,
    ts_ms INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    severity REAL NOT NULL,
    value REAL NOT NULL,
    threshold REAL NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL
  );
  CREATE UNIQUE INDEX driving_events_key ON driving_events(vehicle_id, type, start_ms);
  CREATE INDEX driving_events_time ON driving_events(ts_ms);
  CREATE INDEX driving_events_driver ON driving_events(driver_id, ts_ms);
  CREATE TABLE fence_events (
    id INTEGER PRIMARY KEY,
    vehicle_id TEXT NOT NULL,
    fence_id TEXT NOT NULL,
    event TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    since_ms INTEGER NOT NULL
  );
  CREATE INDEX fence_events_vehicle ON fence_events(vehicle_id, ts_ms);
  CREATE TABLE suppressions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    vehicle_id TEXT NOT NULL,
    type TEXT,
    until_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  `,
  `
  -- history: one trusted point per vehicle-minute (the last in the minute, with the minute's top speed),
  -- kept up to date from new telemetry rows by Store.summarizeTrack; long ranges draw from it
  CREATE TABLE track_minutes (
    vehicle_id TEXT NOT NULL,
    minute_ms INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    speed_kmh REAL,
    max_speed_kmh REAL,
    odometer_km REAL,
    n INTEGER NOT NULL,
    PRIMARY KEY (vehicle_id, minute_ms)
  ) WITHOUT ROWID;
  -- flagged points are few: a partial index finds them without scanning a month of good ones
  CREATE INDEX telemetry_flagged ON telemetry(vehicle_id, ts_ms) WHERE quality IS NOT NULL;
  -- who exported or unlocked what, and when
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX audit_log_time ON audit_log(ts_ms);
  `,
  `
  -- history read path: each vehicle-hour of track_minutes packed into one blob (Float64 × 7 per minute:
  -- ts, lat, lon, speed, max speed, odometer, n; NaN = null), so a month is 720 rows, not 43,200
  CREATE TABLE track_hours (
    vehicle_id TEXT NOT NULL,
    hour_ms INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (vehicle_id, hour_ms)
  ) WITHOUT ROWID;
  -- a summary built before this table existed is packed once, on first use
  INSERT INTO settings (key, value) SELECT 'history.repackHours', '1' WHERE EXISTS (SELECT 1 FROM track_minutes)
    ON CONFLICT(key) DO UPDATE SET value = '1';
  `,
  `
  -- driver privacy: rules, and the driver of each summarised minute (so privacy by driver applies to
  -- long ranges drawn from the summary too)
  CREATE TABLE privacy_rules (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    schedule TEXT,
    note TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  ALTER TABLE track_minutes ADD COLUMN driver_id TEXT;
  ALTER TABLE track_hours ADD COLUMN drivers TEXT;
  `,
  `
  -- predictive maintenance: service and breakdown records, imported feature history, trained models
  CREATE TABLE maintenance_records (
    id INTEGER PRIMARY KEY,
    vehicle_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    odometer_km REAL,
    cost REAL,
    note TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX maintenance_records_vehicle ON maintenance_records(vehicle_id, ts_ms);
  CREATE TABLE maintenance_history (
    week TEXT NOT NULL,
    vehicle_id TEXT NOT NULL,
    features TEXT NOT NULL,
    label INTEGER NOT NULL,
    PRIMARY KEY (week, vehicle_id)
  );
  CREATE TABLE maintenance_models (
    id INTEGER PRIMARY KEY,
    trained_ms INTEGER NOT NULL,
    model TEXT NOT NULL,
    metrics TEXT NOT NULL,
    threshold REAL NOT NULL,
    rows INTEGER NOT NULL,
    positives INTEGER NOT NULL
  );
  `,
  `
  -- fleet cost inputs per vehicle (JSON of VehicleCostInputs)
  CREATE TABLE vehicle_costs (
    vehicle_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
  );
  `,
  `
  -- who drives which vehicle when, for telemetry that names no driver
  CREATE TABLE driver_assignments (
    id INTEGER PRIMARY KEY,
    vehicle_id TEXT NOT NULL,
    driver_id TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER
  );
  CREATE INDEX driver_assignments_vehicle ON driver_assignments(vehicle_id, start_ms);
  `,
  `
  -- vehicle-hours whose minutes changed since they were packed into track_hours (the hour in progress,
  -- late rows); packed in the background once the hour is over, read from track_minutes until then
  CREATE TABLE track_dirty (
    vehicle_id TEXT NOT NULL,
    hour_ms INTEGER NOT NULL,
    PRIMARY KEY (vehicle_id, hour_ms)
  ) WITHOUT ROWID;
  `,
  `
  -- the status bar's counts of open alerts, asked several times a second: read from these small
  -- indexes, not from every open alert's row (a busy day leaves tens of thousands open)
  CREATE INDEX alerts_open_severity ON alerts(severity) WHERE acknowledged_ms IS NULL AND suppressed = 0;
  CREATE INDEX alerts_open_escalated ON alerts(escalated_ms) WHERE escalated_ms IS NOT NULL AND acknowledged_ms IS NULL;
  `,
  `
  -- one fence's visits (ETA along a corridor reads its past traversals)
  CREATE INDEX fence_events_fence ON fence_events(fence_id, ts_ms);
  `,
];

/** Dead-letter payloads are kept up to this size; the original size is recorded. */
export const DEAD_LETTER_MAX_BYTES = 4096;

const TRACK_WATERMARK_KEY = 'history.summarizedRowId';
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

export interface NewAlert {
  type: AlertType;
  severity: AlertSeverity;
  vehicleId: string;
  fenceId: string | null;
  fenceName: string | null;
  tsMs: number;
  raisedMs: number;
  message: string;
  lat: number | null;
  lon: number | null;
  /** Covered by a snooze or mute when raised. */
  suppressed: boolean;
}

interface AlertRow {
  id: number;
  type: string;
  severity: string;
  vehicle_id: string;
  fence_id: string | null;
  fence_name: string | null;
  ts_ms: number;
  raised_ms: number;
  message: string;
  lat: number | null;
  lon: number | null;
  acknowledged_ms: number | null;
  acknowledged_by: string | null;
  repeat_count: number;
  last_seen_ms: number | null;
  resolved_ms: number | null;
  resolved_by: string | null;
  suppressed: number;
  escalated_ms: number | null;
}

interface TelemetryRow {
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

interface GeofenceRow {
  id: string;
  name: string;
  category: string;
  color: string;
  geometry: string;
  rules: string | null;
  created_ms: number;
  updated_ms: number;
}

function geofenceFromRow(r: GeofenceRow): Geofence {
  return {
    id: r.id,
    name: r.name,
    category: r.category as GeofenceCategory,
    color: r.color,
    geometry: JSON.parse(r.geometry) as FenceGeometry,
    rules: r.rules ? (JSON.parse(r.rules) as FenceRules) : {},
    createdMs: r.created_ms,
    updatedMs: r.updated_ms,
  };
}

function alertFromRow(r: AlertRow): Alert {
  return {
    id: r.id,
    type: r.type as AlertType,
    severity: r.severity as AlertSeverity,
    vehicleId: r.vehicle_id,
    fenceId: r.fence_id,
    fenceName: r.fence_name,
    tsMs: r.ts_ms,
    raisedMs: r.raised_ms,
    message: r.message,
    lat: r.lat,
    lon: r.lon,
    acknowledgedMs: r.acknowledged_ms,
    acknowledgedBy: r.acknowledged_by,
    repeatCount: r.repeat_count,
    lastSeenMs: r.last_seen_ms ?? r.ts_ms,
    resolvedMs: r.resolved_ms,
    resolvedBy: r.resolved_by,
    suppressed: r.suppressed === 1,
    escalatedMs: r.escalated_ms,
  };
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

export class Store {
  readonly db: Database.Database;
  private readonly stmts;
  /** When this process last wrote each vehicle's row (see writeBatch). */
  private readonly vehicleSeenMs = new Map<string, number>();

  /** Read-only: for work in another thread beside the service's own connection (no migrations, no writes). */
  readonly readonly: boolean;

  constructor(
    readonly file: string,
    options: { readonly?: boolean } = {},
  ) {
    this.readonly = options.readonly ?? false;
    this.db = new Database(file, this.readonly ? { readonly: true, fileMustExist: true } : undefined);
    if (this.readonly) {
      this.db.pragma('busy_timeout = 5000');
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version !== MIGRATIONS.length) {
        this.db.close();
        throw new Error(`${file} has database schema version ${version}, this FleetDesk expects ${MIGRATIONS.length}: open it read-write first`);
      }
    } else {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL'); // durable at checkpoint; WAL keeps commits atomic
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('cache_size = -65536'); // 64 MiB page cache: the telemetry index stays in memory
      this.db.pragma('wal_autocheckpoint = 4000'); // pages (16 MiB): fewer, larger checkpoints under load
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    }
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
      insertAlert: this.db.prepare(
        `INSERT INTO alerts (type, severity, vehicle_id, fence_id, fence_name, ts_ms, raised_ms, message, lat, lon, last_seen_ms, suppressed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      // One statement per value of `suppressed`, as a literal: with `suppressed = ?` SQLite (STAT4) re-plans
      // the statement at every call, since the value decides whether the partial index alerts_open_severity
      // applies — ~12 µs per alert, every time.
      openDuplicate: this.db.prepare(
        `SELECT id FROM alerts WHERE vehicle_id = ? AND type = ? AND fence_id IS ? AND acknowledged_ms IS NULL AND suppressed = 0 ORDER BY id DESC LIMIT 1`,
      ),
      openDuplicateSuppressed: this.db.prepare(
        `SELECT id FROM alerts WHERE vehicle_id = ? AND type = ? AND fence_id IS ? AND acknowledged_ms IS NULL AND suppressed = 1 ORDER BY id DESC LIMIT 1`,
      ),
      repeatAlert: this.db.prepare(
        `UPDATE alerts SET repeat_count = repeat_count + 1, last_seen_ms = max(coalesce(last_seen_ms, ts_ms), ?), lat = ?, lon = ?, message = ? WHERE id = ? RETURNING *`,
      ),
      insertDrivingEvent: this.db.prepare(
        `INSERT OR IGNORE INTO driving_events (type, vehicle_id, driver_id, ts_ms, start_ms, severity, value, threshold, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertFenceEvent: this.db.prepare(`INSERT INTO fence_events (vehicle_id, fence_id, event, ts_ms, since_ms) VALUES (?, ?, ?, ?, ?)`),
      alertById: this.db.prepare(`SELECT * FROM alerts WHERE id = ?`),
      ackAlert: this.db.prepare(
        `UPDATE alerts SET acknowledged_ms = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_ms IS NULL`,
      ),
      enterFence: this.db.prepare(
        `INSERT OR REPLACE INTO vehicle_fence_state (vehicle_id, fence_id, since_ms) VALUES (?, ?, ?)`,
      ),
      exitFence: this.db.prepare(`DELETE FROM vehicle_fence_state WHERE vehicle_id = ? AND fence_id = ?`),
      // one vehicle-hour of the per-minute summary: packed into its blob, or read while not packed yet
      hourMinutes: this.db
        .prepare(`SELECT ts_ms, lat, lon, speed_kmh, max_speed_kmh, odometer_km, n, driver_id FROM track_minutes WHERE vehicle_id = ? AND minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms`)
        .raw(),
      upsertHour: this.db.prepare(
        `INSERT INTO track_hours (vehicle_id, hour_ms, data, drivers) VALUES (?, ?, ?, ?) ON CONFLICT (vehicle_id, hour_ms) DO UPDATE SET data = excluded.data, drivers = excluded.drivers`,
      ),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
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

  /** Every vehicle that ever reported, by id. */
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

  /**
   * Folds telemetry rows added since the last call into track_minutes (one trusted point per
   * vehicle-minute), at most `maxRows` rows per call. Late (out-of-order) rows are folded in too: the
   * watermark is the row id, not the fix time. Returns the rows read; 0 when up to date.
   */
  summarizeTrack(maxRows = 200_000): number {
    this.repackHoursIfNeeded();
    const from = Number(this.getSetting(TRACK_WATERMARK_KEY) ?? 0);
    const top = (this.db.prepare(`SELECT max(id) AS id FROM telemetry`).get() as { id: number | null }).id ?? 0;
    if (top <= from) return 0;
    const to = Math.min(top, from + maxRows);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO track_minutes (vehicle_id, minute_ms, ts_ms, lat, lon, speed_kmh, max_speed_kmh, odometer_km, n, driver_id)
           SELECT g.vehicle_id, g.m, t.ts_ms, t.lat, t.lon, t.speed_kmh, g.mx, t.odometer_km, g.n, t.driver_id
           FROM (SELECT vehicle_id, (ts_ms / 60000) * 60000 AS m, max(ts_ms) AS last_ts, max(speed_kmh) AS mx, count(*) AS n
                 FROM telemetry WHERE id > ? AND id <= ? AND quality IS NULL GROUP BY vehicle_id, m) g
           JOIN telemetry t ON t.vehicle_id = g.vehicle_id AND t.ts_ms = g.last_ts
           WHERE true
           ON CONFLICT (vehicle_id, minute_ms) DO UPDATE SET
             lat = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.lat ELSE lat END,
             lon = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.lon ELSE lon END,
             speed_kmh = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.speed_kmh ELSE speed_kmh END,
             odometer_km = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.odometer_km ELSE odometer_km END,
             driver_id = CASE WHEN excluded.ts_ms > ts_ms THEN excluded.driver_id ELSE driver_id END,
             ts_ms = max(ts_ms, excluded.ts_ms),
             max_speed_kmh = max(coalesce(max_speed_kmh, excluded.max_speed_kmh), coalesce(excluded.max_speed_kmh, max_speed_kmh)),
             n = n + excluded.n`,
        )
        .run(from, to);
      // packing waits (packDirtyHours): repacking every vehicle's current hour on every pass would cost
      // more than the ingest it follows
      this.db
        .prepare(`INSERT OR IGNORE INTO track_dirty (vehicle_id, hour_ms) SELECT DISTINCT vehicle_id, (ts_ms / 3600000) * 3600000 FROM telemetry WHERE id > ? AND id <= ? AND quality IS NULL`)
        .run(from, to);
      this.setSetting(TRACK_WATERMARK_KEY, String(to));
    })();
    return to - from;
  }

  /** Rewrites one vehicle-hour's blob from its track_minutes rows. */
  private packHour(vehicleId: string, hourMs: number): void {
    const rows = this.stmts.hourMinutes.all(vehicleId, hourMs, hourMs + 3_600_000) as (number | string | null)[][];
    const data = new Float64Array(rows.length * 7);
    let k = 0;
    for (const r of rows) for (let j = 0; j < 7; j++) data[k++] = (r[j] as number | null) ?? Number.NaN;
    const drivers = rows.map((r) => r[7] as string | null);
    this.stmts.upsertHour.run(vehicleId, hourMs, Buffer.from(data.buffer, data.byteOffset, data.byteLength), drivers.some((d) => d !== null) ? JSON.stringify(drivers) : null);
  }

  /** Packs every vehicle-hour again (after the migration that added track_hours to an existing summary). */
  private repackHoursIfNeeded(): void {
    // a read-only connection leaves it to the service's own (which does it within seconds of starting)
    if (this.readonly || this.getSetting('history.repackHours') !== '1') return;
    this.db.transaction(() => {
      const hours = this.db.prepare(`SELECT DISTINCT vehicle_id, (minute_ms / 3600000) * 3600000 FROM track_minutes`).raw().all() as [string, number][];
      for (const [v, h] of hours) this.packHour(v, h);
      this.setSetting('history.repackHours', null);
    })();
  }

  /** Telemetry rows not yet folded into track_minutes. */
  trackBacklog(): number {
    const top = (this.db.prepare(`SELECT max(id) AS id FROM telemetry`).get() as { id: number | null }).id ?? 0;
    return Math.max(0, top - Number(this.getSetting(TRACK_WATERMARK_KEY) ?? 0));
  }

  /** Packs up to `limit` changed vehicle-hours that started before `beforeMs`; returns how many. */
  packDirtyHours(beforeMs: number, limit = 500): number {
    const hours = this.db.prepare(`SELECT vehicle_id, hour_ms FROM track_dirty WHERE hour_ms < ? LIMIT ?`).raw().all(beforeMs, limit) as [string, number][];
    if (hours.length === 0) return 0;
    const del = this.db.prepare(`DELETE FROM track_dirty WHERE vehicle_id = ? AND hour_ms = ?`);
    this.db.transaction(() => {
      for (const [v, h] of hours) {
        this.packHour(v, h);
        del.run(v, h);
      }
    })();
    return hours.length;
  }

  /** Brings the summary fully up to date, hours packed (tools and tests; the service works in slices). */
  summarizeAll(): number {
    let total = 0;
    for (let n = this.summarizeTrack(); n > 0; n = this.summarizeTrack()) total += n;
    while (this.packDirtyHours(Number.POSITIVE_INFINITY, 5000) > 0);
    return total;
  }

  /** One point per minute (see track_minutes), with the count of trusted points it stands for. */
  minuteTrack(vehicleId: string, fromMs: number, toMs: number): { tsMs: number; lat: number; lon: number; speedKmh: number | null; maxSpeedKmh: number | null; odometerKm: number | null; n: number; driverId: string | null }[] {
    this.repackHoursIfNeeded();
    const rows = this.db
      .prepare(`SELECT data, drivers, hour_ms FROM track_hours WHERE vehicle_id = ? AND hour_ms >= ? AND hour_ms < ? ORDER BY hour_ms`)
      .raw()
      .all(vehicleId, fromMs - (((fromMs % 3_600_000) + 3_600_000) % 3_600_000), toMs) as [Buffer, string | null, number][];
    const out = [];
    const nn = (x: number) => (Number.isNaN(x) ? null : x);
    // hours changed since packing are read from the minutes themselves
    const hourFrom = fromMs - (((fromMs % 3_600_000) + 3_600_000) % 3_600_000);
    const dirty = new Set(this.db.prepare(`SELECT hour_ms FROM track_dirty WHERE vehicle_id = ? AND hour_ms >= ? AND hour_ms < ?`).pluck().all(vehicleId, hourFrom, toMs) as number[]);
    for (const h of dirty) {
      const minutes = this.stmts.hourMinutes.all(vehicleId, h, h + 3_600_000) as [number, number, number, number | null, number | null, number | null, number, string | null][];
      for (const m of minutes) if (m[0] >= fromMs && m[0] < toMs) out.push({ tsMs: m[0], lat: m[1], lon: m[2], speedKmh: m[3], maxSpeedKmh: m[4], odometerKm: m[5], n: m[6], driverId: m[7] });
    }
    for (const [b, driversJson, hourMs] of rows) {
      if (dirty.has(hourMs)) continue;
      // copy: a blob's bytes need not be 8-byte aligned
      const d = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      const drivers = driversJson ? (JSON.parse(driversJson) as (string | null)[]) : null;
      for (let i = 0; i < d.length; i += 7) {
        const ts = d[i]!;
        if (ts < fromMs || ts >= toMs) continue; // the edge hours hold points outside the range
        out.push({ tsMs: ts, lat: d[i + 1]!, lon: d[i + 2]!, speedKmh: nn(d[i + 3]!), maxSpeedKmh: nn(d[i + 4]!), odometerKm: nn(d[i + 5]!), n: d[i + 6]!, driverId: drivers?.[i / 7] ?? null });
      }
    }
    if (dirty.size > 0) out.sort((a, b) => a.tsMs - b.tsMs);
    return out;
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

  listAssignments(): DriverAssignment[] {
    return (this.db.prepare(`SELECT id, vehicle_id, driver_id, start_ms, end_ms FROM driver_assignments ORDER BY start_ms DESC`).all() as { id: number; vehicle_id: string; driver_id: string; start_ms: number; end_ms: number | null }[]).map((r) => ({
      id: r.id,
      vehicleId: r.vehicle_id,
      driverId: r.driver_id,
      startMs: r.start_ms,
      endMs: r.end_ms,
    }));
  }

  addAssignment(a: Omit<DriverAssignment, 'id'>): DriverAssignment {
    const id = Number(this.db.prepare(`INSERT INTO driver_assignments (vehicle_id, driver_id, start_ms, end_ms) VALUES (?, ?, ?, ?)`).run(a.vehicleId, a.driverId, a.startMs, a.endMs).lastInsertRowid);
    return { ...a, id };
  }

  deleteAssignment(id: number): boolean {
    return this.db.prepare(`DELETE FROM driver_assignments WHERE id = ?`).run(id).changes === 1;
  }

  listPrivacyRules(): PrivacyRule[] {
    return (this.db.prepare(`SELECT * FROM privacy_rules ORDER BY kind, subject_id, id`).all() as { id: number; kind: string; subject_id: string; schedule: string | null; note: string; created_ms: number }[]).map((r) => ({
      id: r.id,
      kind: r.kind as PrivacyRule['kind'],
      subjectId: r.subject_id,
      schedule: r.schedule ? (JSON.parse(r.schedule) as FenceSchedule) : null,
      note: r.note,
      createdMs: r.created_ms,
    }));
  }

  savePrivacyRule(r: PrivacyRuleInput, nowMs: number): PrivacyRule {
    const schedule = r.schedule ? JSON.stringify(r.schedule) : null;
    let id = r.id;
    if (id !== undefined && this.db.prepare(`UPDATE privacy_rules SET kind = ?, subject_id = ?, schedule = ?, note = ? WHERE id = ?`).run(r.kind, r.subjectId, schedule, r.note, id).changes === 1) {
      // updated in place
    } else {
      id = Number(this.db.prepare(`INSERT INTO privacy_rules (kind, subject_id, schedule, note, created_ms) VALUES (?, ?, ?, ?, ?)`).run(r.kind, r.subjectId, schedule, r.note, nowMs).lastInsertRowid);
    }
    return this.listPrivacyRules().find((x) => x.id === id)!;
  }

  deletePrivacyRule(id: number): boolean {
    return this.db.prepare(`DELETE FROM privacy_rules WHERE id = ?`).run(id).changes === 1;
  }

  /** Fence visits overlapping a range, from the engine's enter/exit records (a visit begun earlier shows its real entry time). */
  fenceVisits(vehicleId: string | null, fromMs: number, toMs: number, fenceId: string | null = null): FenceVisit[] {
    const rows = this.db
      .prepare(
        `SELECT e.vehicle_id, e.fence_id, e.event, e.ts_ms, e.since_ms, g.name AS fence_name FROM fence_events e
         LEFT JOIN geofences g ON g.id = e.fence_id
         WHERE ${fenceId === null ? '' : 'e.fence_id = ? AND '}(? IS NULL OR e.vehicle_id = ?) AND e.ts_ms >= ? AND e.ts_ms < ? AND e.event IN ('enter', 'exit')
         ORDER BY e.vehicle_id, e.ts_ms, e.id`,
      )
      .all(...(fenceId === null ? [] : [fenceId]), vehicleId, vehicleId, fromMs, toMs) as { vehicle_id: string; fence_id: string; event: string; ts_ms: number; since_ms: number; fence_name: string | null }[];
    const open = new Map<string, FenceVisit>();
    const out: FenceVisit[] = [];
    for (const r of rows) {
      const key = `${r.vehicle_id}\u0000${r.fence_id}`;
      if (r.event === 'enter') {
        const v: FenceVisit = { vehicleId: r.vehicle_id, fenceId: r.fence_id, fenceName: r.fence_name ?? r.fence_id, enterMs: r.since_ms, exitMs: null, durationS: null };
        open.set(key, v);
        out.push(v);
      } else {
        const v = open.get(key);
        if (v) {
          v.exitMs = r.ts_ms;
          v.durationS = Math.round((r.ts_ms - v.enterMs) / 1000);
          open.delete(key);
        } else {
          // entered before the range began
          out.push({ vehicleId: r.vehicle_id, fenceId: r.fence_id, fenceName: r.fence_name ?? r.fence_id, enterMs: r.since_ms, exitMs: r.ts_ms, durationS: Math.round((r.ts_ms - r.since_ms) / 1000) });
        }
      }
    }
    // still inside at the end of the range, having entered before it: the membership table knows
    const inside = this.db
      .prepare(
        `SELECT s.vehicle_id, s.fence_id, s.since_ms, g.name AS fence_name FROM vehicle_fence_state s LEFT JOIN geofences g ON g.id = s.fence_id
         WHERE (? IS NULL OR s.fence_id = ?) AND (? IS NULL OR s.vehicle_id = ?) AND s.since_ms < ?`,
      )
      .all(fenceId, fenceId, vehicleId, vehicleId, fromMs) as { vehicle_id: string; fence_id: string; since_ms: number; fence_name: string | null }[];
    // (a set, not a scan of `out` per row: a fleet-wide report has thousands of each)
    const listed = new Set(out.map((v) => `${v.vehicleId}\u0000${v.fenceId}\u0000${v.enterMs}`));
    for (const r of inside) {
      if (listed.has(`${r.vehicle_id}\u0000${r.fence_id}\u0000${r.since_ms}`)) continue;
      out.push({ vehicleId: r.vehicle_id, fenceId: r.fence_id, fenceName: r.fence_name ?? r.fence_id, enterMs: r.since_ms, exitMs: null, durationS: null });
    }
    return out.sort((a, b) => a.vehicleId.localeCompare(b.vehicleId) || a.enterMs - b.enterMs);
  }

  /** The stored point at or just before a time (trusted or not), for the replay cursor. */
  pointAt(vehicleId: string, tsMs: number): { point: TelemetryPoint; quality: string | null; source: string | null } | null {
    const r = this.db.prepare(`SELECT * FROM telemetry WHERE vehicle_id = ? AND ts_ms <= ? ORDER BY ts_ms DESC LIMIT 1`).get(vehicleId, tsMs) as
      | (TelemetryRow & { quality: string | null; source: string | null })
      | undefined;
    return r ? { point: pointFromRow(r), quality: r.quality, source: r.source } : null;
  }

  audit(entry: { tsMs: number; actor: string; action: string; detail: string }): void {
    this.db.prepare(`INSERT INTO audit_log (ts_ms, actor, action, detail) VALUES (?, ?, ?, ?)`).run(entry.tsMs, entry.actor, entry.action, entry.detail);
  }

  listAudit(limit: number): { id: number; tsMs: number; actor: string; action: string; detail: string }[] {
    return (this.db.prepare(`SELECT id, ts_ms, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?`).all(limit) as { id: number; ts_ms: number; actor: string; action: string; detail: string }[]).map((r) => ({
      id: r.id,
      tsMs: r.ts_ms,
      actor: r.actor,
      action: r.action,
      detail: r.detail,
    }));
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

  listDeadLetters(limit: number): DeadLetter[] {
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

  // --- geofences -------------------------------------------------------------------------------

  listGeofences(): Geofence[] {
    return (this.db.prepare(`SELECT * FROM geofences ORDER BY name, id`).all() as GeofenceRow[]).map(geofenceFromRow);
  }

  getGeofence(id: string): Geofence | null {
    const row = this.db.prepare(`SELECT * FROM geofences WHERE id = ?`).get(id) as GeofenceRow | undefined;
    return row ? geofenceFromRow(row) : null;
  }

  upsertGeofence(f: Geofence): void {
    this.db
      .prepare(
        `INSERT INTO geofences (id, name, category, color, geometry, rules, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, category = excluded.category, color = excluded.color,
           geometry = excluded.geometry, rules = excluded.rules, updated_ms = excluded.updated_ms`,
      )
      .run(f.id, f.name, f.category, f.color, JSON.stringify(f.geometry), JSON.stringify(f.rules ?? {}), f.createdMs, f.updatedMs);
  }

  deleteGeofence(id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare(`DELETE FROM vehicle_fence_state WHERE fence_id = ?`).run(id);
      return this.db.prepare(`DELETE FROM geofences WHERE id = ?`).run(id).changes === 1;
    })();
  }

  // --- alerts and fence state --------------------------------------------------------------------

  /**
   * Stores one engine batch in one transaction: alerts, fence crossings (membership for restarts and
   * visits for history), driving events. An alert whose (vehicle, type, fence) already has an open,
   * unacknowledged alert (equally suppressed or not) is folded into it (repeat count, last seen, latest
   * message) rather than stored again: the dispatcher sees one line, not one per crossing.
   */
  recordEngineOutput(input: {
    alerts: readonly NewAlert[];
    fenceEvents?: readonly { vehicleId: string; fenceId: string; event: 'enter' | 'exit' | 'dwell'; tsMs: number; sinceMs: number }[];
    drivingEvents?: readonly Omit<DrivingEvent, 'id'>[];
  }): { raised: Alert[]; repeated: Alert[] } {
    const s = this.stmts;
    return this.db.transaction(() => {
      for (const m of input.fenceEvents ?? []) {
        if (m.event === 'enter') s.enterFence.run(m.vehicleId, m.fenceId, m.sinceMs);
        else if (m.event === 'exit') s.exitFence.run(m.vehicleId, m.fenceId);
        s.insertFenceEvent.run(m.vehicleId, m.fenceId, m.event, m.tsMs, m.sinceMs);
      }
      for (const d of input.drivingEvents ?? []) {
        s.insertDrivingEvent.run(d.type, d.vehicleId, d.driverId, d.tsMs, d.startMs, d.severity, d.value, d.threshold, d.lat, d.lon);
      }
      const raised: Alert[] = [];
      const repeated = new Map<number, Alert>();
      for (const a of input.alerts) {
        const sup = a.suppressed ? 1 : 0;
        const open = (a.suppressed ? s.openDuplicateSuppressed : s.openDuplicate).get(a.vehicleId, a.type, a.fenceId) as { id: number } | undefined;
        if (open) {
          repeated.set(open.id, alertFromRow(s.repeatAlert.get(a.tsMs, a.lat, a.lon, a.message, open.id) as AlertRow));
          continue;
        }
        raised.push(alertFromRow(s.insertAlert.get(a.type, a.severity, a.vehicleId, a.fenceId, a.fenceName, a.tsMs, a.raisedMs, a.message, a.lat, a.lon, a.tsMs, sup) as AlertRow));
      }
      // an alert raised and repeated in the same batch is reported once, as raised, with its count
      const raisedIds = new Set(raised.map((r) => r.id));
      for (let i = 0; i < raised.length; i++) if (repeated.has(raised[i]!.id)) raised[i] = repeated.get(raised[i]!.id)!;
      return { raised, repeated: [...repeated.values()].filter((r) => !raisedIds.has(r.id)) };
    })();
  }

  listDrivingEvents(q: { fromMs: number; toMs: number; vehicleId?: string; driverId?: string; limit?: number }): DrivingEvent[] {
    const where = ['ts_ms >= ?', 'ts_ms < ?'];
    const args: unknown[] = [q.fromMs, q.toMs];
    if (q.vehicleId) (where.push('vehicle_id = ?'), args.push(q.vehicleId));
    if (q.driverId) (where.push('driver_id = ?'), args.push(q.driverId));
    args.push(q.limit ?? 100_000);
    const rows = this.db.prepare(`SELECT * FROM driving_events WHERE ${where.join(' AND ')} ORDER BY ts_ms, id LIMIT ?`).all(...args) as {
      id: number; type: string; vehicle_id: string; driver_id: string | null; ts_ms: number; start_ms: number; severity: number; value: number; threshold: number; lat: number; lon: number;
    }[];
    return rows.map((r) => ({ id: r.id, type: r.type as DrivingEvent['type'], vehicleId: r.vehicle_id, driverId: r.driver_id, tsMs: r.ts_ms, startMs: r.start_ms, severity: r.severity, value: r.value, threshold: r.threshold, lat: r.lat, lon: r.lon }));
  }

  /** Open (unacknowledged) alerts by severity. */
  openAlertsBySeverity(): Record<AlertSeverity, number> {
    const out: Record<AlertSeverity, number> = { info: 0, warning: 0, critical: 0 };
    for (const r of this.db.prepare(`SELECT severity, count(*) AS n FROM alerts INDEXED BY alerts_open_severity WHERE acknowledged_ms IS NULL AND suppressed = 0 GROUP BY severity`).all() as { severity: AlertSeverity; n: number }[]) {
      out[r.severity] = r.n;
    }
    return out;
  }

  countEscalated(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM alerts INDEXED BY alerts_open_escalated WHERE escalated_ms IS NOT NULL AND acknowledged_ms IS NULL`).get() as { n: number }).n;
  }

  fenceMembership(): { vehicleId: string; fenceId: string; sinceMs: number }[] {
    const rows = this.db.prepare(`SELECT * FROM vehicle_fence_state`).all() as {
      vehicle_id: string;
      fence_id: string;
      since_ms: number;
    }[];
    return rows.map((r) => ({ vehicleId: r.vehicle_id, fenceId: r.fence_id, sinceMs: r.since_ms }));
  }

  /** Alerts newest first (or most severe first), filtered; parameters are bound, never spliced. */
  listAlerts(q: AlertQuery & { limit: number }): Alert[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (!q.includeAcknowledged) where.push('acknowledged_ms IS NULL');
    if (!q.includeSuppressed) where.push('suppressed = 0');
    if (q.severity?.length) (where.push(`severity IN (${q.severity.map(() => '?').join(',')})`), args.push(...q.severity));
    if (q.types?.length) (where.push(`type IN (${q.types.map(() => '?').join(',')})`), args.push(...q.types));
    if (q.vehicleId) (where.push('vehicle_id = ?'), args.push(q.vehicleId));
    if (q.fromMs !== undefined) (where.push('coalesce(last_seen_ms, ts_ms) >= ?'), args.push(q.fromMs));
    if (q.toMs !== undefined) (where.push('ts_ms < ?'), args.push(q.toMs));
    const order =
      q.sort === 'severity'
        ? `CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, coalesce(last_seen_ms, ts_ms) DESC, id DESC`
        : `coalesce(last_seen_ms, ts_ms) DESC, id DESC`;
    args.push(q.limit);
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    return (this.db.prepare(sql).all(...args) as AlertRow[]).map(alertFromRow);
  }

  getAlert(id: number): Alert | null {
    const row = this.stmts.alertById.get(id) as AlertRow | undefined;
    return row ? alertFromRow(row) : null;
  }

  /** Marks an alert acknowledged; acknowledging twice keeps the first who and when. */
  acknowledgeAlert(id: number, by: string, atMs: number): Alert | null {
    this.stmts.ackAlert.run(atMs, by, id);
    return this.getAlert(id);
  }

  /** Resolves an alert (acknowledging it too if nobody had); resolving twice keeps the first. */
  resolveAlert(id: number, by: string, atMs: number): Alert | null {
    this.db
      .prepare(
        `UPDATE alerts SET resolved_ms = ?, resolved_by = ?, acknowledged_ms = coalesce(acknowledged_ms, ?), acknowledged_by = coalesce(acknowledged_by, ?)
         WHERE id = ? AND resolved_ms IS NULL`,
      )
      .run(atMs, by, atMs, by, id);
    return this.getAlert(id);
  }

  /** Open, unresolved alerts of a vehicle and type (e.g. "offline" when the vehicle reports again). */
  openAlertIds(vehicleId: string, type: AlertType): number[] {
    return (this.db.prepare(`SELECT id FROM alerts WHERE vehicle_id = ? AND type = ? AND resolved_ms IS NULL AND acknowledged_ms IS NULL`).all(vehicleId, type) as { id: number }[]).map((r) => r.id);
  }

  /**
   * A snooze or mute is an answer to the alerts it covers: their open lines are marked handled
   * (acknowledged, by whom and how) and leave the open count. A snooze never covers a critical alert.
   */
  handleBySuppression(vehicleId: string, type: string | null, includeCritical: boolean, by: string, atMs: number): Alert[] {
    const rows = this.db
      .prepare(
        `UPDATE alerts SET acknowledged_ms = ?, acknowledged_by = ?
         WHERE vehicle_id = ? AND (? IS NULL OR type = ?) AND acknowledged_ms IS NULL AND resolved_ms IS NULL
           AND (? = 1 OR severity <> 'critical') RETURNING *`,
      )
      .all(atMs, by, vehicleId, type, type, includeCritical ? 1 : 0) as AlertRow[];
    return rows.map(alertFromRow);
  }

  /** Marks unacknowledged critical alerts raised at or before `raisedBeforeMs` as escalated; returns them. */
  escalateDue(raisedBeforeMs: number, nowMs: number): Alert[] {
    const rows = this.db
      .prepare(
        `UPDATE alerts SET escalated_ms = ? WHERE severity = 'critical' AND acknowledged_ms IS NULL AND suppressed = 0
           AND escalated_ms IS NULL AND raised_ms <= ? RETURNING *`,
      )
      .all(nowMs, raisedBeforeMs) as AlertRow[];
    return rows.map(alertFromRow);
  }

  // --- suppressions ------------------------------------------------------------------------------

  addSuppression(x: Omit<Suppression, 'id'>): Suppression {
    const res = this.db
      .prepare(`INSERT INTO suppressions (kind, vehicle_id, type, until_ms, reason, created_by, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(x.kind, x.vehicleId, x.type, x.untilMs, x.reason, x.createdBy, x.createdMs);
    return { ...x, id: Number(res.lastInsertRowid) };
  }

  /** Suppressions still running at the time (ended ones stay in the table as a record). */
  activeSuppressions(nowMs: number): Suppression[] {
    const rows = this.db.prepare(`SELECT * FROM suppressions WHERE until_ms > ? ORDER BY until_ms`).all(nowMs) as {
      id: number; kind: string; vehicle_id: string; type: string | null; until_ms: number; reason: string; created_by: string; created_ms: number;
    }[];
    return rows.map((r) => ({ id: r.id, kind: r.kind as Suppression['kind'], vehicleId: r.vehicle_id, type: r.type as AlertType | null, untilMs: r.until_ms, reason: r.reason, createdBy: r.created_by, createdMs: r.created_ms }));
  }

  /** Ends a suppression now (kept as a record). */
  endSuppression(id: number, nowMs: number): boolean {
    return this.db.prepare(`UPDATE suppressions SET until_ms = ? WHERE id = ? AND until_ms > ?`).run(nowMs, id, nowMs).changes === 1;
  }

  countOpenAlerts(): number {
    const s = this.openAlertsBySeverity();
    return s.info + s.warning + s.critical;
  }


  stats(): { telemetryRows: number; vehicles: number; deadLetters: number; alerts: number; geofences: number } {
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      telemetryRows: count('telemetry'),
      vehicles: count('vehicles'),
      deadLetters: count('dead_letters'),
      alerts: count('alerts'),
      geofences: count('geofences'),
    };
  }

  // --- broker credentials and settings ---------------------------------------------------------

  listDeviceCredentials(): { vehicleId: string; createdMs: number }[] {
    return (this.db.prepare(`SELECT vehicle_id, created_ms FROM device_credentials ORDER BY vehicle_id`).all() as { vehicle_id: string; created_ms: number }[]).map(
      (r) => ({ vehicleId: r.vehicle_id, createdMs: r.created_ms }),
    );
  }

  deviceSecretHash(vehicleId: string): string | null {
    const row = this.db.prepare(`SELECT secret_hash FROM device_credentials WHERE vehicle_id = ?`).get(vehicleId) as { secret_hash: string } | undefined;
    return row?.secret_hash ?? null;
  }

  setDeviceCredential(vehicleId: string, secretHash: string, nowMs: number): void {
    this.db
      .prepare(`INSERT INTO device_credentials (vehicle_id, secret_hash, created_ms) VALUES (?, ?, ?) ON CONFLICT(vehicle_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_ms = excluded.created_ms`)
      .run(vehicleId, secretHash, nowMs);
  }

  deleteDeviceCredential(vehicleId: string): boolean {
    return this.db.prepare(`DELETE FROM device_credentials WHERE vehicle_id = ?`).run(vehicleId).changes === 1;
  }

  getSetting(key: string): string | null {
    const row = this.db.prepare(`SELECT value FROM settings WHERE key = ?`).get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setSetting(key: string, value: string | null): void {
    if (value === null) this.db.prepare(`DELETE FROM settings WHERE key = ?`).run(key);
    else this.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
