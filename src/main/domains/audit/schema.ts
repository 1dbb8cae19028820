// The audit domain's tables (the audit log): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const auditSchema: SchemaSteps = {
  5: `
  -- who exported or unlocked what, and when
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX audit_log_time ON audit_log(ts_ms);
  `,
};
