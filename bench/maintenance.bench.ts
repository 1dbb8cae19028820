// Breakdown model: FleetDesk's GBDT against the reference (scikit-learn GradientBoostingClassifier,
// 200 trees, depth 5, lr 0.1, subsample 0.8, min 20 per leaf) on the same generated 40,000-row
// vehicle-week table and the same 5 expanding folds by week. Target: ROC AUC at least the reference's,
// trained in less time. The reference needs Debian's python3-sklearn (/usr/bin/python3).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateTimeOrdered, parseFeatureCsv } from '../src/main/core/maintenance/evaluate';
import { syntheticFeatureCsv } from '../src/main/core/maintenance/synthetic';
import { report, type Row } from './report';

const file = path.resolve('.bench-tmp/maintenance/features-40k.csv');
mkdirSync(path.dirname(file), { recursive: true });
const csv = syntheticFeatureCsv({ vehicles: 400, weeks: 100, seed: 42 });
writeFileSync(file, csv);
const table = parseFeatureCsv(csv);
const positives = table.y.reduce((a, b) => a + b, 0);

const trainS: number[] = [];
let foldStart = performance.now();
let lastFold = 1;
const t0 = performance.now();
const ours = evaluateTimeOrdered(table, {
  folds: 5,
  onProgress: (fold) => {
    if (fold !== lastFold) {
      trainS.push((performance.now() - foldStart) / 1000);
      foldStart = performance.now();
      lastFold = fold;
    }
  },
});
trainS.push((performance.now() - foldStart) / 1000);
const oursTotal = (performance.now() - t0) / 1000;

// the same 200 trees as the reference, no early stopping: the like-for-like training time
const t1 = performance.now();
const full = evaluateTimeOrdered(table, { folds: 5, params: { earlyStoppingRounds: 0 } });
const fullTotal = (performance.now() - t1) / 1000;

let ref: { fold: number; auc: number; train_seconds: number }[] | null = null;
let refNote = '';
const py = '/usr/bin/python3';
if (existsSync(py)) {
  const r = spawnSync(py, ['bench/maintenance_reference.py', file, '5'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status === 0) ref = JSON.parse(r.stdout.trim().split('\n').pop()!);
  else refNote = `reference not run: ${r.stderr.trim().split('\n').pop()} (apt-get install python3-sklearn)`;
} else refNote = 'reference not run: /usr/bin/python3 missing';

const rows: Row[] = ours.map((f, i) => ({
  fold: f.fold,
  'train rows': f.trainRows,
  'test rows': f.testRows,
  'FleetDesk AUC': f.auc.toFixed(3),
  'reference AUC': ref ? ref[i]!.auc.toFixed(3) : '–',
  'FleetDesk trees': f.trees,
  'FleetDesk s (train+predict)': trainS[i]!.toFixed(2),
  'reference s (train)': ref ? ref[i]!.train_seconds.toFixed(2) : '–',
  'recall / precision @ recall-first threshold': `${f.atThreshold.recall.toFixed(2)} / ${f.atThreshold.precision.toFixed(3)}`,
  'recall / precision @ 0.5': `${f.atHalf.recall.toFixed(2)} / ${Number.isNaN(f.atHalf.precision) ? '–' : f.atHalf.precision.toFixed(3)}`,
}));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
rows.push({
  fold: 'mean / total',
  'train rows': '',
  'test rows': '',
  'FleetDesk AUC': mean(ours.map((f) => f.auc)).toFixed(3),
  'reference AUC': ref ? mean(ref.map((f) => f.auc)).toFixed(3) : '–',
  'FleetDesk trees': '',
  'FleetDesk s (train+predict)': oursTotal.toFixed(2),
  'reference s (train)': ref ? ref.reduce((a, f) => a + f.train_seconds, 0).toFixed(2) : '–',
  'recall / precision @ recall-first threshold': `${mean(ours.map((f) => f.atThreshold.recall)).toFixed(2)} / ${mean(ours.map((f) => f.atThreshold.precision)).toFixed(3)}`,
  'recall / precision @ 0.5': '',
});
rows.push({
  fold: 'FleetDesk, 200 trees, no early stopping',
  'train rows': '',
  'test rows': '',
  'FleetDesk AUC': mean(full.map((f) => f.auc)).toFixed(3),
  'reference AUC': '',
  'FleetDesk trees': 200,
  'FleetDesk s (train+predict)': fullTotal.toFixed(2),
  'reference s (train)': '',
  'recall / precision @ recall-first threshold': `${mean(full.map((f) => f.atThreshold.recall)).toFixed(2)} / ${mean(full.map((f) => f.atThreshold.precision)).toFixed(3)}`,
  'recall / precision @ 0.5': '',
});
report(
  'Breakdown model (npm run bench -- maintenance)',
  [
    `Table: 400 vehicles × 100 weeks = ${table.y.length.toLocaleString('en')} rows, ${positives} breakdowns within 14 days (${((positives / table.y.length) * 100).toFixed(1)} %), generated with a known signal (src/main/core/maintenance/synthetic.ts, seed 42); 2 % of coolant readings missing.`,
    'Folds: weeks cut into 6 blocks; fold k trains on blocks before k and tests on block k. FleetDesk holds out the last 15 % of training weeks for early stopping and the recall-first threshold (target recall 0.8); the reference trains on all training weeks (missing values filled with the median).',
    'FleetDesk: histogram GBDT, up to 200 trees, depth 5, lr 0.1, subsample 0.8, min 20 per leaf, 64 bins, L2 1, early stopping after 25 trees without improvement.',
    refNote || 'Reference: scikit-learn 1.2 GradientBoostingClassifier(n_estimators=200, max_depth=5, learning_rate=0.1, subsample=0.8, min_samples_leaf=20).',
  ],
  rows,
);
