// The costs domain's tables (cost inputs per vehicle): its steps of the one ordered list of migrations (version →
// SQL, see core/storage/migrations.ts). Append-only: a new step takes the next version number.
import type { SchemaSteps } from '../../core/storage/migrations';

export const costsSchema: SchemaSteps = {
  9: `
  -- fleet cost inputs per vehicle (JSON of VehicleCostInputs)
  CREATE TABLE vehicle_costs (
    vehicle_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
  );
  `,
};
