// The alerts domain's tables (alerts, snoozes and mutes): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const alertsSchema: SchemaSteps = {
  1: `
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
  `,
  3: `
  -- de-duplication: one open alert per (vehicle, type, fence), counting repeats
  ALTER TABLE alerts ADD COLUMN repeat_count INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE alerts ADD COLUMN last_seen_ms INTEGER;
  UPDATE alerts SET last_seen_ms = ts_ms;
  CREATE INDEX alerts_dedupe ON alerts(vehicle_id, type, fence_id) WHERE acknowledged_ms IS NULL;
  `,
  4: `
  ALTER TABLE alerts ADD COLUMN resolved_ms INTEGER;
  ALTER TABLE alerts ADD COLUMN resolved_by TEXT;
  ALTER TABLE alerts ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE alerts ADD COLUMN escalated_ms INTEGER;
  CREATE INDEX alerts_time ON alerts(ts_ms);
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
  12: `
  -- the status bar's counts of open alerts, asked several times a second: read from these small
  -- indexes, not from every open alert's row (a busy day leaves tens of thousands open)
  CREATE INDEX alerts_open_severity ON alerts(severity) WHERE acknowledged_ms IS NULL AND suppressed = 0;
  CREATE INDEX alerts_open_escalated ON alerts(escalated_ms) WHERE escalated_ms IS NOT NULL AND acknowledged_ms IS NULL;
  `,
  14: `
  -- a note given with an acknowledgement or a resolve (one note for several lines at once), and, for a
  -- line that resolved by itself, the fix time its condition ended
  ALTER TABLE alerts ADD COLUMN note TEXT;
  ALTER TABLE alerts ADD COLUMN cleared_ms INTEGER;
  `,
  16: `
  -- a dispatcher handling a line (a claim): who and since when; it ends on resolve, release or sign-out
  ALTER TABLE alerts ADD COLUMN claimed_by TEXT;
  ALTER TABLE alerts ADD COLUMN claimed_ms INTEGER;
  `,
};
