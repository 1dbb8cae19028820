// The jobs domain's tables (jobs, job_stops, job_events): its steps of the one ordered list of migrations
// (version → SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const jobsSchema: SchemaSteps = {
  18: `
  -- work sent to vehicles: a job of ordered stops, who has it, where its message to the vehicle is
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL,
    priority TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    vehicle_id TEXT,
    delivery TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    sent_ms INTEGER,
    answer_due_ms INTEGER
  );
  CREATE INDEX jobs_vehicle ON jobs(vehicle_id, status);
  CREATE INDEX jobs_status ON jobs(status);
  CREATE TABLE job_stops (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    radius_m REAL NOT NULL,
    window_start_ms INTEGER,
    window_end_ms INTEGER,
    status TEXT NOT NULL,
    arrived_ms INTEGER,
    departed_ms INTEGER,
    done_ms INTEGER,
    failed_reason TEXT,
    PRIMARY KEY (job_id, seq)
  );
  -- each change of a job or a stop: when, what, who or what changed it
  CREATE TABLE job_events (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    ts_ms INTEGER NOT NULL,
    stop_seq INTEGER,
    what TEXT NOT NULL,
    by TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX job_events_job ON job_events(job_id, id);
  `,
  19: `
  -- text messages between dispatchers and drivers, both ways, with where each one is
  CREATE TABLE driver_messages (
    id INTEGER PRIMARY KEY,
    vehicle_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    text TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    state TEXT NOT NULL,
    state_ms INTEGER NOT NULL,
    replies TEXT NOT NULL
  );
  CREATE INDEX driver_messages_vehicle ON driver_messages(vehicle_id, id);
  CREATE INDEX driver_messages_unread ON driver_messages(state) WHERE direction = 'up' AND state = 'received';
  `,
  20: `
  -- a job may need a class of vehicle (as Rules maps vehicles to classes)
  ALTER TABLE jobs ADD COLUMN vehicle_class TEXT;
  `,
  21: `
  -- a stop may be an existing geofence (arrival and departure from the engine's enter and exit); each
  -- job event remembers the vehicle that held the job then (History and replay of a vehicle show them)
  ALTER TABLE job_stops ADD COLUMN fence_id TEXT;
  ALTER TABLE job_events ADD COLUMN vehicle_id TEXT;
  UPDATE job_events SET vehicle_id = (SELECT vehicle_id FROM jobs WHERE jobs.id = job_events.job_id);
  CREATE INDEX job_events_vehicle ON job_events(vehicle_id, ts_ms);
  `,
};
