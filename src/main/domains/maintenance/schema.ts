// The maintenance domain's tables (maintenance records, feature history and models): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const maintenanceSchema: SchemaSteps = {
  8: `
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
};
