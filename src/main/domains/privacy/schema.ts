// The privacy domain's tables (privacy rules): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const privacySchema: SchemaSteps = {
  7: `
  -- driver privacy: rules, and the driver of each summarised minute (so privacy by driver applies to
  -- long ranges drawn from the summary too)
  CREATE TABLE privacy_rules (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    schedule TEXT,
    note TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  `,
};
