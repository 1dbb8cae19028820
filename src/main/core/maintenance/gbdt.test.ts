import { describe, expect, it } from 'vitest';
import { contributions, modelFromJson, modelToJson, predictProba, trainGbdt, type Dataset } from './gbdt';
import { evaluateTimeOrdered, recallPrecision, rocAuc, thresholdForRecall, type FeatureTable } from './evaluate';
import { mulberry32 as rng } from '../util/random';


/** 3 features: x0 carries the signal (threshold at 0.7, with 10 % label noise), x1 and x2 are noise; some x0 missing. */
function data(n: number, seed: number, signal = true): Dataset {
  const r = rng(seed);
  const x = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[0]![i] = i % 50 === 0 ? Number.NaN : r();
    x[1]![i] = r();
    x[2]![i] = r() * 100;
    const truth = signal ? (x[0]![i]! > 0.7 ? 1 : 0) : r() < 0.3 ? 1 : 0;
    y[i] = r() < 0.1 ? 1 - truth : truth;
  }
  return { x, y };
}

describe('GBDT', () => {
  it('finds a known signal: high AUC on unseen rows, and the signal feature explains the predictions', () => {
    const model = trainGbdt(['signal', 'noise', 'noise100'], data(4000, 1), { nTrees: 60, maxDepth: 3 });
    const test = data(2000, 2);
    const p = predictProba(model, test.x);
    expect(rocAuc(test.y, p)).toBeGreaterThan(0.85);
    // a row well above the threshold: the signal feature pushes its log-odds up, far more than the others
    const c = contributions(model, [0.95, 0.5, 50]);
    expect(c.byFeature[0]).toBeGreaterThan(1);
    expect(Math.abs(c.byFeature[1]!)).toBeLessThan(c.byFeature[0]! / 4);
    // contributions add up to the model's log-odds
    const z = c.bias + c.byFeature.reduce((a, b) => a + b, 0);
    const single = predictProba(model, [Float64Array.of(0.95), Float64Array.of(0.5), Float64Array.of(50)])[0]!;
    expect(1 / (1 + Math.exp(-z))).toBeCloseTo(single, 10);
  });

  it('learns nothing from pure noise (AUC about 0.5)', () => {
    const model = trainGbdt(['a', 'b', 'c'], data(4000, 3, false), { nTrees: 50, maxDepth: 3 });
    const test = data(4000, 4, false);
    expect(Math.abs(rocAuc(test.y, predictProba(model, test.x)) - 0.5)).toBeLessThan(0.04);
  });

  it('is deterministic for a seed, differs for another, and survives storage as JSON', () => {
    const d = data(2000, 5);
    const a = trainGbdt(['s', 'n', 'm'], d, { nTrees: 20, seed: 7 });
    const b = trainGbdt(['s', 'n', 'm'], d, { nTrees: 20, seed: 7 });
    const c = trainGbdt(['s', 'n', 'm'], d, { nTrees: 20, seed: 8 });
    const t = data(500, 6);
    expect(Array.from(predictProba(a, t.x))).toEqual(Array.from(predictProba(b, t.x)));
    expect(Array.from(predictProba(a, t.x))).not.toEqual(Array.from(predictProba(c, t.x)));
    expect(Array.from(predictProba(modelFromJson(modelToJson(a)), t.x))).toEqual(Array.from(predictProba(a, t.x)));
  });

  it('stops early when the held-out loss stops improving', () => {
    const model = trainGbdt(['s', 'n', 'm'], data(3000, 9), { nTrees: 400, learningRate: 0.3, earlyStoppingRounds: 10 }, data(1000, 10));
    expect(model.trees.length).toBeLessThan(400);
    expect(model.bestIteration).toBe(model.trees.length);
  });
});

describe('metrics', () => {
  it('computes ROC AUC with ties, recall and precision, and a recall-first threshold', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 10);
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBeCloseTo(0.5, 10);
    expect(recallPrecision([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.7], 0.5)).toEqual({ recall: 2 / 3, precision: 2 / 3, alerts: 3 });
    // 5 positives, recall 0.8 → the 4th-highest positive score
    expect(thresholdForRecall([1, 1, 1, 1, 1, 0], [0.9, 0.8, 0.3, 0.6, 0.1, 0.95], 0.8)).toBe(0.3);
  });

  it('never trains on a test week or a later one', () => {
    const n = 1200;
    const d = data(n, 11);
    const weeks = Array.from({ length: n }, (_, i) => `2026-W${String(1 + Math.floor(i / 50)).padStart(2, '0')}`); // 24 weeks
    const table: FeatureTable = { week: weeks, vehicleId: weeks.map((_, i) => `V${i % 50}`), features: ['s', 'n', 'm'], x: d.x, y: d.y };
    const folds = evaluateTimeOrdered(table, { folds: 5, params: { nTrees: 20, maxDepth: 3 } });
    expect(folds).toHaveLength(5);
    for (const f of folds) {
      // training rows are exactly the rows of the weeks before the first test week
      expect(f.trainRows).toBe(weeks.filter((w) => w < f.testWeeks[0]).length);
      expect(f.auc).toBeGreaterThan(0.8);
      expect(f.atThreshold.recall).toBeGreaterThan(0.5); // chosen for 0.8 on a small validation tail; the test weeks vary
    }
    expect(folds[0]!.trainRows).toBeLessThan(folds[4]!.trainRows);
  });
});

describe('capacity: the riskiest K a week', () => {
  it('counts the breakdowns among the K highest scores of each week, summed over weeks', async () => {
    const { caughtByCapacity } = await import('./evaluate');
    // week a: scores 0.9 (breakdown), 0.5, 0.1 (breakdown); week b: 0.8, 0.7 (breakdown)
    const caught = caughtByCapacity(['a', 'a', 'a', 'b', 'b'], [1, 0, 1, 0, 1], [0.9, 0.5, 0.1, 0.8, 0.7]);
    expect(caught.slice(0, 4)).toEqual([1, 2, 3, 3]);
    expect(caught).toHaveLength(200);
  });
});
