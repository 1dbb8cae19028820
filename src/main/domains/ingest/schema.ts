// The ingest domain's tables (telemetry, vehicles and dead letters): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const ingestSchema: SchemaSteps = {
  1: `
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
  `,
};
