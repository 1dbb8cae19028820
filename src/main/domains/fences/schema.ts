// The fences domain's tables (geofences, who is inside which, and crossings): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const fencesSchema: SchemaSteps = {
  1: `
  CREATE TABLE geofences (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    color TEXT NOT NULL,
    geometry TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
  );

  -- which fences each vehicle is inside, so a restart does not raise every enter again
  CREATE TABLE vehicle_fence_state (
    vehicle_id TEXT NOT NULL,
    fence_id TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    PRIMARY KEY (vehicle_id, fence_id)
  ) WITHOUT ROWID;
  `,
  4: `
  -- fence rules; alert resolve, suppression and escalation; driving events; raw fence crossings
  ALTER TABLE geofences ADD COLUMN rules TEXT;
  CREATE TABLE fence_events (
    id INTEGER PRIMARY KEY,
    vehicle_id TEXT NOT NULL,
    fence_id TEXT NOT NULL,
    event TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    since_ms INTEGER NOT NULL
  );
  CREATE INDEX fence_events_vehicle ON fence_events(vehicle_id, ts_ms);
  `,
  13: `
  -- one fence's visits (ETA along a corridor reads its past traversals)
  CREATE INDEX fence_events_fence ON fence_events(fence_id, ts_ms);
  `,
};
