// The drivers domain's tables (driving events and shifts): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const driversSchema: SchemaSteps = {
  4: `
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
  `,
  10: `
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
};
