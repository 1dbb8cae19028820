// Predictive maintenance: will a vehicle break down within 14 days? Records, the model and its ranking.
import { method, NoParams, Nullable, StringEnum, Type, type Static } from './schema';

export const MaintenanceRecord = Type.Object({
  id: Type.Integer(),
  vehicleId: Type.String(),
  kind: StringEnum(['service', 'breakdown'] as const),
  tsMs: Type.Number(),
  odometerKm: Nullable(Type.Number()),
  cost: Nullable(Type.Number()),
  note: Type.String(),
});
export type MaintenanceRecord = Static<typeof MaintenanceRecord>;
export const MaintenanceRecordInput = Type.Omit(MaintenanceRecord, ['id']);
export type MaintenanceRecordInput = Static<typeof MaintenanceRecordInput>;

export const FoldMetrics = Type.Object({
  fold: Type.Integer(),
  trainRows: Type.Integer(),
  testRows: Type.Integer(),
  testWeeks: Type.Tuple([Type.String(), Type.String()]),
  threshold: Type.Number(),
  recall: Type.Number(),
  precision: Type.Number(),
  auc: Type.Number(),
});
export type FoldMetrics = Static<typeof FoldMetrics>;

/** What checking the K riskiest vehicles each week caught on the validation folds' test weeks. */
export const CapacityValidation = Type.Object({
  /** Test weeks over all folds, and breakdowns in them. */
  weeks: Type.Integer(),
  positives: Type.Integer(),
  /** caught[K − 1]: breakdowns among the K riskiest vehicles of each test week, summed over the weeks. */
  caught: Type.Array(Type.Integer()),
});
export type CapacityValidation = Static<typeof CapacityValidation>;

export const MaintenanceModelInfo = Type.Object({
  trainedMs: Type.Number(),
  rows: Type.Integer(),
  positives: Type.Integer(),
  /** Alert threshold chosen on validation weeks for the target recall. */
  threshold: Type.Number(),
  targetRecall: Type.Number(),
  folds: Type.Array(FoldMetrics),
  trees: Type.Integer(),
  /** Models trained before this was measured have none: retrain to see it. */
  capacity: Type.Optional(CapacityValidation),
});
export type MaintenanceModelInfo = Static<typeof MaintenanceModelInfo>;

export const RiskRow = Type.Object({
  vehicleId: Type.String(),
  week: Type.String(),
  /** Probability of a breakdown within 14 days. */
  risk: Type.Number(),
  /** Flagged for a check this week: among the riskiest the workshop can check (see the overview's capacity). */
  alert: Type.Boolean(),
  /** Why the vehicle is never flagged: too little data to judge it (null when there is enough). */
  dataNote: Nullable(Type.String()),
  /** The features pushing this vehicle's risk up (log-odds added), largest first. */
  drivers: Type.Array(Type.Object({ feature: Type.String(), value: Nullable(Type.Number()), contribution: Type.Number() })),
});
export type RiskRow = Static<typeof RiskRow>;

export const TrainingState = Type.Object({ running: Type.Boolean(), progress: Type.Number(), message: Type.String() });

export const MaintenanceOverview = Type.Object({
  model: Nullable(MaintenanceModelInfo),
  ranking: Type.Array(RiskRow),
  /** Vehicle-weeks available to train on, and breakdowns among them. */
  trainingRows: Type.Integer(),
  trainingPositives: Type.Integer(),
  training: TrainingState,
  /** Checks the workshop can do a week, and what flagging that many caught on validation weeks. */
  capacity: Type.Object({
    checksPerWeek: Type.Integer(),
    /** null until a model measured it (retrain). */
    expected: Nullable(Type.Object({ caughtPerWeek: Type.Number(), recall: Type.Number(), precision: Type.Number(), breakdownsPerWeek: Type.Number() })),
  }),
});
export type MaintenanceOverview = Static<typeof MaintenanceOverview>;

const Imported = Type.Object({ imported: Type.Integer(), errors: Type.Array(Type.String()) });

export const maintenanceMethods = {
  /** The breakdown model: its validation, and vehicles ranked by risk with what drives it. */
  getMaintenance: method('viewer', NoParams, MaintenanceOverview),
  /** How many vehicles the workshop can check a week: that many of the riskiest are flagged. */
  setMaintenanceCapacity: method('supervisor', Type.Object({ checksPerWeek: Type.Integer({ minimum: 1, maximum: 1000 }) }), MaintenanceOverview),
  /** Trains again in a worker; progress arrives as `maintenanceProgress` events. */
  retrainMaintenance: method('dispatcher', NoParams, Type.Object({ started: Type.Boolean() })),
  listMaintenanceRecords: method('viewer', Type.Object({ vehicleId: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1 })) }), Type.Array(MaintenanceRecord)),
  addMaintenanceRecord: method('dispatcher', Type.Object({ vehicleId: Type.String(), kind: Type.String(), tsMs: Type.Number(), odometerKm: Type.Optional(Nullable(Type.Number())), cost: Type.Optional(Nullable(Type.Number())), note: Type.Optional(Type.String()) }), MaintenanceRecord),
  deleteMaintenanceRecord: method('dispatcher', Type.Object({ id: Type.Integer() }), Type.Object({ deleted: Type.Boolean() })),
  /** CSV of records (vehicle_id, kind, date, odometer_km, cost, note) or of feature history (the columns of `maintenance evaluate`). */
  importMaintenanceCsv: method('dispatcher', Type.Object({ kind: StringEnum(['records', 'history'] as const), text: Type.String() }), Imported),
};

export const maintenanceEvents = {
  maintenanceProgress: TrainingState,
};
