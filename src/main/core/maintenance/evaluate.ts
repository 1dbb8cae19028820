// Time-ordered evaluation of the breakdown model: expanding-window folds over weeks (a fold trains only
// on weeks before its test weeks), a recall-first alert threshold chosen on validation weeks (the tail
// of each fold's training weeks), and recall, precision and ROC AUC on the test weeks.
import { trainGbdt, predictProba, type Dataset, type GbdtParams } from './gbdt';
import { hasControlChars, readCsvRows } from '../util/csv';
import { decimalNumber } from '../telemetry/validate';

export const FEATURE_COLUMNS = [
  'avg_rpm',
  'max_rpm',
  'avg_coolant_temp',
  'max_coolant_temp',
  'fuel_consumption_rate',
  'harsh_brake_count',
  'total_km',
  'days_since_last_service',
  'km_since_last_service',
  'active_dtc_count',
] as const;
export const LABEL_COLUMN = 'breakdown_within_14_days';

export interface FeatureTable {
  /** Week start per row (any sortable value: ISO date or epoch ms). */
  week: string[];
  vehicleId: string[];
  features: string[];
  x: Float64Array[];
  y: Uint8Array;
}

/** ROC AUC by ranks (ties share the average rank); NaN when a class is missing. */
export function rocAuc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = y.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[idx[j + 1]!] === score[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]!]) (pos++, (rankSum += avgRank));
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function recallPrecision(y: ArrayLike<number>, score: ArrayLike<number>, threshold: number): { recall: number; precision: number; alerts: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < y.length; i++) {
    const hit = score[i]! >= threshold;
    if (hit && y[i]) tp++;
    else if (hit) fp++;
    else if (y[i]) fn++;
  }
  return { recall: tp + fn ? tp / (tp + fn) : Number.NaN, precision: tp + fp ? tp / (tp + fp) : Number.NaN, alerts: tp + fp };
}

/** The highest threshold that still catches `targetRecall` of the positives (missing one costs more than a false alarm). */
export function thresholdForRecall(y: ArrayLike<number>, score: ArrayLike<number>, targetRecall: number): number {
  const positives: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i]) positives.push(score[i]!);
  if (positives.length === 0) return 0.5;
  positives.sort((a, b) => b - a);
  const need = Math.max(1, Math.ceil(targetRecall * positives.length));
  return positives[need - 1]!;
}

function take(t: FeatureTable, rows: number[]): Dataset {
  return { x: t.x.map((col) => Float64Array.from(rows, (i) => col[i]!)), y: Uint8Array.from(rows, (i) => t.y[i]!) };
}

export interface FoldResult {
  fold: number;
  trainRows: number;
  testRows: number;
  testWeeks: [string, string];
  threshold: number;
  atThreshold: { recall: number; precision: number };
  atHalf: { recall: number; precision: number };
  auc: number;
  trees: number;
  /** caught[K − 1]: breakdowns among the K riskiest vehicles of each test week, summed over its weeks. */
  caughtByCapacity: number[];
  testWeekCount: number;
  testPositives: number;
}

/** The most vehicles a week the capacity curve is measured for. */
export const MAX_CAPACITY = 200;

/** For K = 1…MAX_CAPACITY: breakdowns among the K highest-scored rows of each week, summed over the weeks. */
export function caughtByCapacity(weeks: readonly string[], y: ArrayLike<number>, score: ArrayLike<number>): number[] {
  const byWeek = new Map<string, number[]>();
  weeks.forEach((w, i) => {
    const rows = byWeek.get(w);
    if (rows) rows.push(i);
    else byWeek.set(w, [i]);
  });
  const caught = new Array<number>(MAX_CAPACITY).fill(0);
  for (const rows of byWeek.values()) {
    rows.sort((a, b) => score[b]! - score[a]!);
    let hits = 0;
    for (let k = 0; k < MAX_CAPACITY; k++) {
      if (k < rows.length) hits += y[rows[k]!]!;
      caught[k]! += hits;
    }
  }
  return caught;
}

/**
 * Expanding-window folds: the distinct weeks, in order, are cut into `folds + 1` blocks; fold k trains
 * on blocks 0…k−1 (its last 15 % of weeks held out for early stopping and the threshold) and tests on
 * block k. No row from a test week, or later, is ever in training.
 */
export function evaluateTimeOrdered(
  t: FeatureTable,
  opts: { folds?: number; targetRecall?: number; params?: Partial<GbdtParams>; onProgress?: (fold: number, tree: number, trees: number) => void } = {},
): FoldResult[] {
  const folds = opts.folds ?? 5;
  const target = opts.targetRecall ?? 0.8;
  const weeks = [...new Set(t.week)].sort();
  if (weeks.length < folds + 1) throw new Error(`need at least ${folds + 1} distinct weeks for ${folds} folds, found ${weeks.length}`);
  const block = (w: string) => Math.min(folds, Math.floor((weeks.indexOf(w) * (folds + 1)) / weeks.length));
  const weekIndex = new Map(weeks.map((w, i) => [w, i]));
  const blockOf = t.week.map((w) => block(w));
  const out: FoldResult[] = [];
  for (let k = 1; k <= folds; k++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let i = 0; i < t.y.length; i++) {
      if (blockOf[i]! < k) trainRows.push(i);
      else if (blockOf[i] === k) testRows.push(i);
    }
    // validation: the last 15 % of the training weeks
    const trainWeeks = [...new Set(trainRows.map((i) => t.week[i]!))].sort();
    const cut = trainWeeks[Math.max(1, Math.floor(trainWeeks.length * 0.85))] ?? trainWeeks[trainWeeks.length - 1]!;
    const fit = trainRows.filter((i) => t.week[i]! < cut);
    const val = trainRows.filter((i) => t.week[i]! >= cut);
    const model = trainGbdt(t.features, take(t, fit), opts.params, take(t, val), (done, total) => opts.onProgress?.(k, done, total));
    const valData = take(t, val);
    const threshold = thresholdForRecall(valData.y, predictProba(model, valData.x), target);
    const test = take(t, testRows);
    const p = predictProba(model, test.x);
    const testWeeks = [...new Set(testRows.map((i) => t.week[i]!))].sort((a, b) => weekIndex.get(a)! - weekIndex.get(b)!);
    out.push({
      fold: k,
      trainRows: trainRows.length,
      testRows: testRows.length,
      testWeeks: [testWeeks[0]!, testWeeks[testWeeks.length - 1]!],
      threshold,
      atThreshold: recallPrecision(test.y, p, threshold),
      atHalf: recallPrecision(test.y, p, 0.5),
      auc: rocAuc(test.y, p),
      trees: model.trees.length,
      caughtByCapacity: caughtByCapacity(testRows.map((i) => t.week[i]!), test.y, p),
      testWeekCount: testWeeks.length,
      testPositives: test.y.reduce((a, b) => a + b, 0),
    });
  }
  return out;
}

/** Reads the features CSV of `maintenance evaluate` (header row; the columns above, any order). */
export function parseFeatureCsv(text: string): FeatureTable {
  const csv = readCsvRows(text);
  if (csv.length < 2) throw new Error('the file has no rows');
  const header = csv[0]!.cells.map((h) => h.trim());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`missing column "${name}" (the file has: ${header.join(', ')})`);
    return i;
  };
  const wi = col('week');
  const vi = col('vehicle_id');
  const fi = FEATURE_COLUMNS.map(col);
  const li = col(LABEL_COLUMN);
  const rows = csv.slice(1).map((r) => r.cells);
  const n = rows.length;
  const x = FEATURE_COLUMNS.map(() => new Float64Array(n));
  const y = new Uint8Array(n);
  const week: string[] = new Array(n);
  const vehicleId: string[] = new Array(n);
  rows.forEach((r, i) => {
    week[i] = (r[wi] ?? '').trim();
    vehicleId[i] = (r[vi] ?? '').trim();
    if (hasControlChars(week[i]!) || hasControlChars(vehicleId[i]!)) throw new Error(`line ${i + 2}: control characters in week or vehicle_id`);
    fi.forEach((c, f) => {
      const s = (r[c] ?? '').trim();
      const v = s === '' || s.toLowerCase() === 'nan' ? Number.NaN : decimalNumber(s);
      if (s !== '' && s.toLowerCase() !== 'nan' && !Number.isFinite(v)) throw new Error(`line ${i + 2}: ${FEATURE_COLUMNS[f]} is not a number: "${s}"`);
      x[f]![i] = v;
    });
    const lab = (r[li] ?? '').trim().toLowerCase();
    if (!['0', '1', 'true', 'false'].includes(lab)) throw new Error(`line ${i + 2}: ${LABEL_COLUMN} must be 0 or 1, got "${r[li]}"`);
    y[i] = lab === '1' || lab === 'true' ? 1 : 0;
  });
  return { week, vehicleId, features: [...FEATURE_COLUMNS], x, y };
}
