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

/** At least this many of the features must be known for a vehicle-week to be judged. */
export const MIN_KNOWN_FEATURES = 6;

/** Why a vehicle's newest week is too thin to flag it on (null when it is enough). */
export function dataNote(w: VehicleWeek, nowMs: number): string | null {
  const known = w.x.filter((v) => !Number.isNaN(v)).length;
  const km = w.x[FEATURE_COLUMNS.indexOf('total_km')]!;
  if (w.weekStartMs < weekStart(nowMs) - 3 * WEEK_MS) return `no data since the week of ${w.week}`;
  if (Number.isNaN(km) || km < 1) return `no driving recorded in the week of ${w.week}`;
  if (known < MIN_KNOWN_FEATURES) return `only ${known} of ${FEATURE_COLUMNS.length} measures known for the week of ${w.week}`;
  return null;
}

export const CHECKS_PER_WEEK_KEY = 'maintenance.checksPerWeek';
/** A small workshop's week, until the fleet manager says otherwise. */
export const DEFAULT_CHECKS_PER_WEEK = 5;

/** The vehicles the workshop can check a week, as saved in the Maintenance tab. */
export function checksPerWeekOf(settings: { get(key: string): string | null }): number {
  const saved = Number(settings.get(CHECKS_PER_WEEK_KEY));
  return Number.isInteger(saved) && saved >= 1 ? saved : DEFAULT_CHECKS_PER_WEEK;
}

/** Flags the `checksPerWeek` riskiest vehicles that have enough data (the list is sorted by risk). */
export function flagForCapacity(ranking: readonly RiskRow[], checksPerWeek: number): RiskRow[] {
  let left = checksPerWeek;
  return ranking.map((r) => {
    const alert = r.dataNote === null && left > 0;
    if (alert) left--;
    return { ...r, alert };
  });
}

/** What flagging the `checksPerWeek` riskiest vehicles caught on the validation folds' test weeks. */
export function expectedForCapacity(v: MaintenanceModelInfo['capacity'], checksPerWeek: number): MaintenanceOverview['capacity']['expected'] {
  if (!v || v.weeks === 0 || v.caught.length === 0) return null;
  const caught = v.caught[Math.min(checksPerWeek, v.caught.length) - 1]!;
  return { caughtPerWeek: caught / v.weeks, recall: v.positives ? caught / v.positives : 0, precision: caught / (checksPerWeek * v.weeks), breakdownsPerWeek: v.positives / v.weeks };
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
    // flagged later, for the workshop's capacity (flagForCapacity)
    return { vehicleId: w.vehicleId, week: w.week, risk: p[i]!, alert: false, dataNote: dataNote(w, nowMs), drivers };
  });
  return ranking.sort((a, b) => b.risk - a.risk);
}

export type OverviewCore = Omit<MaintenanceOverview, 'training' | 'capacity'>;

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
