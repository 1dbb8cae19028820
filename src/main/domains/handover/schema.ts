// The handover domain's table (operator_notes): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const handoverSchema: SchemaSteps = {
  17: `
  -- the operator log: notes by user on the shift, an alert or a vehicle
  CREATE TABLE operator_notes (
    id INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,
    author TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT,
    text TEXT NOT NULL
  );
  CREATE INDEX operator_notes_time ON operator_notes(ts_ms);
  `,
};
