// Training as a task for a worker thread: read the weeks from the database (its own read-only
// connection), evaluate on time-ordered folds, train the final model, report progress on the way.
import Database from 'better-sqlite3';
import type { MaintenanceModelInfo, MaintenanceRecord } from '../../../shared/contract/maintenance';
import { evaluateTimeOrdered, thresholdForRecall } from './evaluate';
import { historyWeeks, telemetryWeeks, trainingTable } from './features';
import { DEFAULT_GBDT, modelToJson, predictProba, trainGbdt, type GbdtParams } from './gbdt';

export interface TrainInput {
  dbFile: string;
  nowMs: number;
  targetRecall: number;
  folds: number;
  params?: Partial<GbdtParams>;
}

export type TrainMessage =
  | { type: 'progress'; progress: number; message: string }
  | { type: 'done'; modelJson: string; info: MaintenanceModelInfo }
  | { type: 'failed'; message: string };

export function readRecords(db: Database.Database): MaintenanceRecord[] {
  return (db.prepare(`SELECT * FROM maintenance_records ORDER BY ts_ms`).all() as { id: number; vehicle_id: string; kind: string; ts_ms: number; odometer_km: number | null; cost: number | null; note: string }[]).map((r) => ({
    id: r.id,
    vehicleId: r.vehicle_id,
    kind: r.kind as MaintenanceRecord['kind'],
    tsMs: r.ts_ms,
    odometerKm: r.odometer_km,
    cost: r.cost,
    note: r.note,
  }));
}

export function runTraining(input: TrainInput, post: (m: TrainMessage) => void): void {
  try {
    post({ type: 'progress', progress: 0, message: 'reading vehicle-weeks' });
    const db = new Database(input.dbFile, { readonly: true, fileMustExist: true });
    let table;
    try {
      const weeks = [...historyWeeks(db), ...telemetryWeeks(db, readRecords(db), input.nowMs)];
      table = trainingTable(weeks);
    } finally {
      db.close();
    }
    const positives = table.y.reduce((a, b) => a + b, 0);
    if (table.y.length < 200 || positives < 10) {
      post({ type: 'failed', message: `Not enough history to train: ${table.y.length} vehicle-weeks with ${positives} breakdowns (need at least 200 and 10). Add service and breakdown records, or import history.` });
      return;
    }
    const weeksCount = new Set(table.week).size;
    const folds = Math.min(input.folds, weeksCount - 1);
    const steps = folds + 1;
    const results = evaluateTimeOrdered(table, {
      folds,
      targetRecall: input.targetRecall,
      params: input.params,
      onProgress: (fold, tree, trees) => post({ type: 'progress', progress: (fold - 1 + tree / trees) / steps, message: `validating fold ${fold} of ${folds}: tree ${tree}` }),
    });
    // the final model: every labelled week, the newest 15 % held out for early stopping and the threshold
    const weeks = [...new Set(table.week)].sort();
    const cut = weeks[Math.max(1, Math.floor(weeks.length * 0.85))]!;
    const idx = (pred: (w: string) => boolean) => table.week.flatMap((w, i) => (pred(w) ? [i] : []));
    const take = (rows: number[]) => ({ x: table.x.map((c) => Float64Array.from(rows, (i) => c[i]!)), y: Uint8Array.from(rows, (i) => table.y[i]!) });
    const fit = take(idx((w) => w < cut));
    const val = take(idx((w) => w >= cut));
    const model = trainGbdt(table.features, fit, { ...DEFAULT_GBDT, ...input.params }, val, (tree, trees) =>
      post({ type: 'progress', progress: (folds + tree / trees) / steps, message: `final model: tree ${tree}` }),
    );
    const threshold = thresholdForRecall(val.y, predictProba(model, val.x), input.targetRecall);
    post({
      type: 'done',
      modelJson: modelToJson(model),
      info: {
        trainedMs: Date.now(),
        rows: table.y.length,
        positives,
        threshold,
        targetRecall: input.targetRecall,
        trees: model.trees.length,
        capacity: {
          weeks: results.reduce((a, r) => a + r.testWeekCount, 0),
          positives: results.reduce((a, r) => a + r.testPositives, 0),
          caught: results[0]!.caughtByCapacity.map((_, k) => results.reduce((a, r) => a + r.caughtByCapacity[k]!, 0)),
        },
        folds: results.map((r) => ({ fold: r.fold, trainRows: r.trainRows, testRows: r.testRows, testWeeks: r.testWeeks, threshold: r.threshold, recall: r.atThreshold.recall, precision: r.atThreshold.precision, auc: r.auc })),
      },
    });
  } catch (err) {
    post({ type: 'failed', message: `Training failed: ${(err as Error).message}` });
  }
}
