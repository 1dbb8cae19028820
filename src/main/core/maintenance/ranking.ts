// The current ranking of vehicles by breakdown risk, from the newest stored model: each vehicle's newest
// complete week of features, its probability, whether it crosses the alert threshold, and the features
// that push it up (per-prediction contributions).
import Database from 'better-sqlite3';
import type { MaintenanceModelInfo, MaintenanceOverview, RiskRow } from '../../../shared/contract/maintenance';
import { FEATURE_COLUMNS } from './evaluate';
import { historyWeeks, telemetryWeeks, WEEK_MS, weekStart, type VehicleWeek } from './features';
import { contributions, modelFromJson, predictProba, type GbdtModel } from './gbdt';
import { readRecords } from './train-task';

export interface StoredModel {
  id: number;
  model: GbdtModel;
  info: MaintenanceModelInfo;
}

/** The newest model. */
export function latestModel(db: Database.Database): StoredModel | null {
  const row = db.prepare(`SELECT id, model, metrics FROM maintenance_models ORDER BY id DESC LIMIT 1`).get() as { id: number; model: string; metrics: string } | undefined;
  if (!row) return null;
  return { id: row.id, model: modelFromJson(row.model), info: JSON.parse(row.metrics) as MaintenanceModelInfo };
}

export function riskRanking(db: Database.Database, latest: StoredModel, nowMs: number): RiskRow[] {
  const records = readRecords(db);
  const recent = telemetryWeeks(db, records, nowMs, weekStart(nowMs) - WEEK_MS);
  const history = historyWeeks(db);
  // each vehicle's newest complete week (telemetry wins over imported history for the same week);
  // the week in progress only for a vehicle with nothing else, as its totals are partial
  const thisWeek = weekStart(nowMs);
  const newest = new Map<string, VehicleWeek>();
  for (const w of [...history, ...recent]) {
    const cur = newest.get(w.vehicleId);
    const better = !cur || (cur.weekStartMs >= thisWeek ? w.weekStartMs < thisWeek || w.weekStartMs >= cur.weekStartMs : w.weekStartMs < thisWeek && w.weekStartMs >= cur.weekStartMs);
    if (better) newest.set(w.vehicleId, w);
  }
  const list = [...newest.values()];
  const p = predictProba(latest.model, FEATURE_COLUMNS.map((_, f) => Float64Array.from(list, (w) => w.x[f]!)));
  const ranking: RiskRow[] = list.map((w, i) => {
    const c = contributions(latest.model, w.x);
    const drivers = c.byFeature
      .map((v, f) => ({ feature: FEATURE_COLUMNS[f]!, value: Number.isNaN(w.x[f]!) ? null : w.x[f]!, contribution: v }))
      .filter((d) => d.contribution > 0.01)
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, 3);
    return { vehicleId: w.vehicleId, week: w.week, risk: p[i]!, alert: p[i]! >= latest.info.threshold, drivers };
  });
  return ranking.sort((a, b) => b.risk - a.risk);
}

export type OverviewCore = Omit<MaintenanceOverview, 'training'>;

/** The Maintenance tab's model, ranking and training set size (database reads only: run it off the UI thread). */
export function computeOverview(db: Database.Database, nowMs: number): OverviewCore {
  const latest = latestModel(db);
  const ranking = latest ? riskRanking(db, latest, nowMs) : [];
  const labelledHistory = historyWeeks(db).filter((w) => w.label !== null);
  return {
    model: latest?.info ?? null,
    ranking,
    // what the last training saw (telemetry weeks included); before any, the imported history
    trainingRows: latest?.info?.rows ?? labelledHistory.length,
    trainingPositives: latest?.info?.positives ?? labelledHistory.filter((w) => w.label === 1).length,
  };
}

export type OverviewMessage = { type: 'overview'; value: OverviewCore } | { type: 'failed'; message: string };

/** computeOverview as a task for a worker thread, on its own read-only connection. */
export function runOverview(input: { dbFile: string; nowMs: number }, post: (m: OverviewMessage) => void): void {
  try {
    const db = new Database(input.dbFile, { readonly: true, fileMustExist: true });
    try {
      post({ type: 'overview', value: computeOverview(db, input.nowMs) });
    } finally {
      db.close();
    }
  } catch (err) {
    post({ type: 'failed', message: (err as Error).message });
  }
}
