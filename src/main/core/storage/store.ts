// SQLite persistence for telemetry, vehicles, dead letters, geofences and alerts; all SQL is parameterised.
import Database from 'better-sqlite3';
import type {
  Alert,
  AlertSeverity,
  AlertType,
  DeadLetter,
  FenceGeometry,
  Geofence,
  GeofenceCategory,
  TelemetryPoint,
} from '../../../shared/types';

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
];

/** Dead-letter payloads are kept up to this size; the original size is recorded. */
export const DEAD_LETTER_MAX_BYTES = 4096;

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

  constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL'); // durable at checkpoint; WAL keeps commits atomic
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536'); // 64 MiB page cache: the telemetry index stays in memory
    this.db.pragma('wal_autocheckpoint = 4000'); // pages (16 MiB): fewer, larger checkpoints under load
    this.db.pragma('foreign_keys = ON');
    this.migrate();
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
        `INSERT INTO alerts (type, severity, vehicle_id, fence_id, fence_name, ts_ms, raised_ms, message, lat, lon, last_seen_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      openDuplicate: this.db.prepare(
        `SELECT id FROM alerts WHERE vehicle_id = ? AND type = ? AND fence_id IS ? AND acknowledged_ms IS NULL ORDER BY id DESC LIMIT 1`,
      ),
      repeatAlert: this.db.prepare(`UPDATE alerts SET repeat_count = repeat_count + 1, last_seen_ms = max(coalesce(last_seen_ms, ts_ms), ?), lat = ?, lon = ? WHERE id = ?`),
      alertById: this.db.prepare(`SELECT * FROM alerts WHERE id = ?`),
      ackAlert: this.db.prepare(
        `UPDATE alerts SET acknowledged_ms = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_ms IS NULL`,
      ),
      enterFence: this.db.prepare(
        `INSERT OR REPLACE INTO vehicle_fence_state (vehicle_id, fence_id, since_ms) VALUES (?, ?, ?)`,
      ),
      exitFence: this.db.prepare(`DELETE FROM vehicle_fence_state WHERE vehicle_id = ? AND fence_id = ?`),
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
      // once per vehicle per batch, not per row
      for (const id of vehicles) s.upsertVehicle.run(id, receivedMs, receivedMs);
      for (const d of deadLetters) {
        const kept = d.payload.byteLength > DEAD_LETTER_MAX_BYTES ? d.payload.subarray(0, DEAD_LETTER_MAX_BYTES) : d.payload;
        s.insertDeadLetter.run(d.receivedMs, d.source, d.topic, d.reason, Buffer.from(kept), d.payloadBytes ?? d.payload.byteLength);
      }
    })();
    return { inserted, duplicates };
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
        `INSERT INTO geofences (id, name, category, color, geometry, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, category = excluded.category, color = excluded.color,
           geometry = excluded.geometry, updated_ms = excluded.updated_ms`,
      )
      .run(f.id, f.name, f.category, f.color, JSON.stringify(f.geometry), f.createdMs, f.updatedMs);
  }

  deleteGeofence(id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare(`DELETE FROM vehicle_fence_state WHERE fence_id = ?`).run(id);
      return this.db.prepare(`DELETE FROM geofences WHERE id = ?`).run(id).changes === 1;
    })();
  }

  // --- alerts and fence state --------------------------------------------------------------------

  /**
   * Stores alerts and the fence membership changes behind them in one transaction. An alert whose
   * (vehicle, type, fence) already has an open, unacknowledged alert is folded into it (repeat count,
   * last seen) rather than stored again: the dispatcher sees one line, not one per crossing.
   */
  recordGeofenceEvents(
    alerts: readonly NewAlert[],
    membership: readonly { vehicleId: string; fenceId: string; inside: boolean; tsMs: number }[],
  ): { raised: Alert[]; repeated: Alert[] } {
    const s = this.stmts;
    return this.db.transaction(() => {
      for (const m of membership) {
        if (m.inside) s.enterFence.run(m.vehicleId, m.fenceId, m.tsMs);
        else s.exitFence.run(m.vehicleId, m.fenceId);
      }
      const raised: Alert[] = [];
      const repeated = new Map<number, Alert>();
      for (const a of alerts) {
        const open = s.openDuplicate.get(a.vehicleId, a.type, a.fenceId) as { id: number } | undefined;
        if (open) {
          s.repeatAlert.run(a.tsMs, a.lat, a.lon, open.id);
          repeated.set(open.id, alertFromRow(s.alertById.get(open.id) as AlertRow));
          continue;
        }
        const res = s.insertAlert.run(a.type, a.severity, a.vehicleId, a.fenceId, a.fenceName, a.tsMs, a.raisedMs, a.message, a.lat, a.lon, a.tsMs);
        raised.push(alertFromRow(s.alertById.get(res.lastInsertRowid) as AlertRow));
      }
      // an alert raised and repeated in the same batch is reported once, as raised, with its count
      const raisedIds = new Set(raised.map((r) => r.id));
      for (let i = 0; i < raised.length; i++) if (repeated.has(raised[i]!.id)) raised[i] = repeated.get(raised[i]!.id)!;
      return { raised, repeated: [...repeated.values()].filter((r) => !raisedIds.has(r.id)) };
    })();
  }

  /** Open (unacknowledged) alerts by severity. */
  openAlertsBySeverity(): Record<AlertSeverity, number> {
    const out: Record<AlertSeverity, number> = { info: 0, warning: 0, critical: 0 };
    for (const r of this.db.prepare(`SELECT severity, count(*) AS n FROM alerts WHERE acknowledged_ms IS NULL GROUP BY severity`).all() as { severity: AlertSeverity; n: number }[]) {
      out[r.severity] = r.n;
    }
    return out;
  }

  fenceMembership(): { vehicleId: string; fenceId: string; sinceMs: number }[] {
    const rows = this.db.prepare(`SELECT * FROM vehicle_fence_state`).all() as {
      vehicle_id: string;
      fence_id: string;
      since_ms: number;
    }[];
    return rows.map((r) => ({ vehicleId: r.vehicle_id, fenceId: r.fence_id, sinceMs: r.since_ms }));
  }

  listAlerts(limit: number, includeAcknowledged: boolean): Alert[] {
    const sql = includeAcknowledged
      ? `SELECT * FROM alerts ORDER BY coalesce(last_seen_ms, ts_ms) DESC, id DESC LIMIT ?`
      : `SELECT * FROM alerts WHERE acknowledged_ms IS NULL ORDER BY coalesce(last_seen_ms, ts_ms) DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(limit) as AlertRow[]).map(alertFromRow);
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
