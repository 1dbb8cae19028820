// The history domain's tables (the per-minute and per-hour track summary): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const historySchema: SchemaSteps = {
  5: `
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
  `,
  6: `
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
  7: `
  ALTER TABLE track_minutes ADD COLUMN driver_id TEXT;
  ALTER TABLE track_hours ADD COLUMN drivers TEXT;
  `,
  11: `
  -- vehicle-hours whose minutes changed since they were packed into track_hours (the hour in progress,
  -- late rows); packed in the background once the hour is over, read from track_minutes until then
  CREATE TABLE track_dirty (
    vehicle_id TEXT NOT NULL,
    hour_ms INTEGER NOT NULL,
    PRIMARY KEY (vehicle_id, hour_ms)
  ) WITHOUT ROWID;
  `,
};
