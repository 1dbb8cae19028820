// The devices domain's tables (device credentials): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const devicesSchema: SchemaSteps = {
  2: `
  -- per-vehicle broker credentials: secrets only as scrypt hashes
  CREATE TABLE device_credentials (
    vehicle_id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  `,
};
