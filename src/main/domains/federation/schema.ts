// The federation domain's tables: its steps of the one ordered list of migrations (version → SQL, see
// core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const federationSchema: SchemaSteps = {
  22: `
  -- headquarters: a depot's alert, kept with the depot's own id (stored once however often it is resent)
  ALTER TABLE alerts ADD COLUMN depot_id TEXT;
  ALTER TABLE alerts ADD COLUMN source_id INTEGER;
  CREATE UNIQUE INDEX alerts_source ON alerts(depot_id, source_id) WHERE depot_id IS NOT NULL;
  -- depot: how far each stream has been forwarded upstream (the upstream broker acknowledged it); a row
  -- exists once forwarding was turned on
  CREATE TABLE federation_cursors (
    stream TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
  );
  -- depot: rows of tables that change in place (alerts: raised, repeated, acknowledged, resolved, …), in
  -- commit order, written by the triggers below in the same transaction as the change itself — only while
  -- forwarding is on
  -- (AUTOINCREMENT: forwarded rows are deleted, and an id used again would fall behind the cursor)
  CREATE TABLE federation_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    ref_id INTEGER NOT NULL
  );
  CREATE TRIGGER federation_alert_insert AFTER INSERT ON alerts
    WHEN NEW.depot_id IS NULL AND EXISTS (SELECT 1 FROM federation_cursors WHERE stream = 'changes')
    BEGIN INSERT INTO federation_changes (kind, ref_id) VALUES ('alert', NEW.id); END;
  CREATE TRIGGER federation_alert_update AFTER UPDATE ON alerts
    WHEN NEW.depot_id IS NULL AND EXISTS (SELECT 1 FROM federation_cursors WHERE stream = 'changes')
    BEGIN INSERT INTO federation_changes (kind, ref_id) VALUES ('alert', NEW.id); END;

  -- headquarters: a depot's geofence enter/exit events with the fence's name there (stored once)
  ALTER TABLE fence_events ADD COLUMN fence_name TEXT;
  ALTER TABLE fence_events ADD COLUMN depot_id TEXT;
  ALTER TABLE fence_events ADD COLUMN source_id INTEGER;
  CREATE UNIQUE INDEX fence_events_source ON fence_events(depot_id, source_id) WHERE depot_id IS NOT NULL;
  -- headquarters: the depots that report here, and how far behind each one's stream is
  CREATE TABLE depots (
    id TEXT PRIMARY KEY,
    first_seen_ms INTEGER NOT NULL,
    -- when the last batch arrived here
    last_batch_ms INTEGER NOT NULL,
    -- the newest row the depot had committed when it sent that batch, and its backlog then
    depot_newest_ms INTEGER,
    backlog_rows INTEGER NOT NULL DEFAULT 0,
    backlog_oldest_ms INTEGER,
    rows_received INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE vehicle_depots (
    vehicle_id TEXT PRIMARY KEY,
    depot_id TEXT NOT NULL
  );
  -- headquarters: the fences last pushed to each depot (versions count up per depot)
  CREATE TABLE fence_pushes (
    depot_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    pushed_ms INTEGER NOT NULL,
    pushed_by TEXT NOT NULL,
    fences INTEGER NOT NULL
  );
  `,
  23: `
  -- headquarters: a depot's jobs and driver messages, kept with the depot's own ids (stored once however
  -- often they are resent; a job arrives whole — its stops and timeline — at each change)
  ALTER TABLE jobs ADD COLUMN depot_id TEXT;
  ALTER TABLE jobs ADD COLUMN source_id INTEGER;
  CREATE UNIQUE INDEX jobs_source ON jobs(depot_id, source_id) WHERE depot_id IS NOT NULL;
  ALTER TABLE driver_messages ADD COLUMN depot_id TEXT;
  ALTER TABLE driver_messages ADD COLUMN source_id INTEGER;
  CREATE UNIQUE INDEX driver_messages_source ON driver_messages(depot_id, source_id) WHERE depot_id IS NOT NULL;
  -- depot: every change of a job (its row, a stop, a new line of its timeline) and of a message goes into
  -- the outbox in the same transaction, while forwarding is on
  CREATE TRIGGER federation_job_insert AFTER INSERT ON jobs
    WHEN NEW.depot_id IS NULL AND EXISTS (SELECT 1 FROM federation_cursors WHERE stream = 'changes')
    BEGIN INSERT INTO federation_changes (kind, ref_id) VALUES ('job', NEW.id); END;
  CREATE TRIGGER federation_job_update AFTER UPDATE ON jobs
    WHEN NEW.depot_id IS NULL AND EXISTS (SELECT 1 FROM federation_cursors WHERE stream = 'changes')
    BEGIN INSERT INTO federation_changes (kind, ref_id) VALUES ('job', NEW.id); END;
  CREATE TRIGGER federation_job_stop_update AFTER UPDATE ON job_stops
    WHEN EXISTS (SELECT 1 FROM federation_cursors WHERE stream = 'changes') AND (SELECT depot_id FROM jobs WHERE id = NEW.job_id) IS NULL
    BEGIN INSERT INTO federation_changes (kind, ref_id) VALUES ('job', NEW.job_id); END;
  CREATE TRIGGER federation_job_event AFTER INSERT ON job_events
    WHEN EXISTS (SELECT 1 FROM federation_cursors WHERE stream = 'changes') AND (SELECT depot_id FROM jobs WHERE id = NEW.job_id) IS NULL
    BEGIN INSERT INTO federation_changes (kind, ref_id) VALUES ('job', NEW.job_id); END;
  CREATE TRIGGER federation_message_insert AFTER INSERT ON driver_messages
    WHEN NEW.depot_id IS NULL AND EXISTS (SELECT 1 FROM federation_cursors WHERE stream = 'changes')
    BEGIN INSERT INTO federation_changes (kind, ref_id) VALUES ('message', NEW.id); END;
  -- headquarters: the rules last pushed to each depot (versions count up per depot)
  CREATE TABLE rule_pushes (
    depot_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    pushed_ms INTEGER NOT NULL,
    pushed_by TEXT NOT NULL
  );
  CREATE TRIGGER federation_message_update AFTER UPDATE ON driver_messages
    WHEN NEW.depot_id IS NULL AND EXISTS (SELECT 1 FROM federation_cursors WHERE stream = 'changes')
    BEGIN INSERT INTO federation_changes (kind, ref_id) VALUES ('message', NEW.id); END;
  `,
};
