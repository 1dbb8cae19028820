// Gradient-boosted decision trees for binary classification, written for FleetDesk's predictive
// maintenance (no npm package does this well). Histogram splits on quantile bins (missing values in a
// bin of their own, sent to whichever side gains more), logistic loss with second-order (Newton) leaf
// values and L2 regularisation, shrinkage, row subsampling, early stopping on a held-out tail, and a
// seeded PRNG so the same data and seed give the same model. Per-prediction contributions follow the
// path of each tree (Saabas): what each split's feature added to the log-odds.
import { mulberry32 } from '../util/random';

export interface GbdtParams {
  nTrees: number;
  maxDepth: number;
  learningRate: number;
  /** Fraction of rows each tree sees (without replacement). */
  subsample: number;
  minSamplesLeaf: number;
  /** Quantile bins per feature (≤ 255; one more holds missing values). */
  maxBins: number;
  /** L2 regularisation on leaf values. */
  lambda: number;
  /** Stop when the validation loss has not improved for this many trees, keeping the best (0 = train and keep all). */
  earlyStoppingRounds: number;
  seed: number;
}

export const DEFAULT_GBDT: GbdtParams = { nTrees: 200, maxDepth: 5, learningRate: 0.1, subsample: 0.8, minSamplesLeaf: 20, maxBins: 64, lambda: 1, earlyStoppingRounds: 25, seed: 42 };

/** Column-major data: x[f][i] is feature f of row i (NaN = missing). */
export interface Dataset {
  x: Float64Array[];
  y: Uint8Array;
}

interface Tree {
  feature: Int32Array; // -1 = leaf
  threshold: Float64Array; // go left when value <= threshold
  binThreshold: Uint8Array; // the same, in bins (training-time traversal)
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf output (log-odds, already × learning rate); for inner nodes the value there (contributions). */
  value: Float64Array;
}

export interface GbdtModel {
  features: string[];
  baseScore: number;
  trees: Tree[];
  params: GbdtParams;
  /** Trees kept after early stopping. */
  bestIteration: number;
}


const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Quantile bin edges of one feature (NaN ignored); value v goes to bin 1 + (number of edges < v). */
function binEdges(col: Float64Array, rows: Uint32Array, maxBins: number): Float64Array {
  const vals: number[] = [];
  for (const i of rows) {
    const v = col[i]!;
    if (!Number.isNaN(v)) vals.push(v);
  }
  if (vals.length === 0) return new Float64Array(0);
  vals.sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    const q = vals[Math.min(vals.length - 1, Math.floor((b * vals.length) / maxBins))]!;
    if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  }
  // an edge equal to the maximum would leave an empty last bin
  while (edges.length && edges[edges.length - 1]! >= vals[vals.length - 1]!) edges.pop();
  return Float64Array.from(edges);
}

function binOf(edges: Float64Array, v: number): number {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return 1 + lo; // bins 1..edges.length+1; v <= edges[k] ⇔ bin <= k+1
}

interface NodeWork {
  id: number;
  rows: Uint32Array;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array | null; // [feature][bin][g,h,count]
}

/**
 * Trains on `train`; `valid` (optional) drives early stopping. `onProgress(tree, total)` after each tree.
 */
export function trainGbdt(features: string[], train: Dataset, params: Partial<GbdtParams> = {}, valid?: Dataset, onProgress?: (done: number, total: number) => void): GbdtModel {
  const p: GbdtParams = { ...DEFAULT_GBDT, ...params };
  const nF = features.length;
  const n = train.y.length;
  if (n === 0) throw new Error('no training rows');
  if (train.x.length !== nF) throw new Error('features and columns differ');
  const rand = mulberry32(p.seed);
  const allRows = Uint32Array.from({ length: n }, (_, i) => i);
  const edges = train.x.map((col) => binEdges(col, allRows, Math.min(255, p.maxBins)));
  const nBins = edges.map((e) => e.length + 2); // missing + edges+1
  const maxB = Math.max(...nBins);
  const bins = train.x.map((col, f) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = binOf(edges[f]!, col[i]!);
    return b;
  });
  let pos = 0;
  for (let i = 0; i < n; i++) pos += train.y[i]!;
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
  const baseScore = Math.log(prior / (1 - prior));
  const F = new Float64Array(n).fill(baseScore);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const validF = valid ? new Float64Array(valid.y.length).fill(baseScore) : null;
  const trees: Tree[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestIter = 0;
  const histSize = nF * maxB * 3;

  const buildHist = (rows: Uint32Array): Float64Array => {
    const hist = new Float64Array(histSize);
    for (let f = 0; f < nF; f++) {
      const b = bins[f]!;
      const off = f * maxB * 3;
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k]!;
        const o = off + b[i]! * 3;
        hist[o] = hist[o]! + g[i]!;
        hist[o + 1] = hist[o + 1]! + h[i]!;
        hist[o + 2] = hist[o + 2]! + 1;
      }
    }
    return hist;
  };

  for (let t = 0; t < p.nTrees; t++) {
    for (let i = 0; i < n; i++) {
      const pr = sigmoid(F[i]!);
      g[i] = pr - train.y[i]!;
      h[i] = Math.max(pr * (1 - pr), 1e-12);
    }
    // row subsample without replacement (partial Fisher–Yates)
    const m = Math.max(1, Math.round(n * p.subsample));
    const perm = Uint32Array.from(allRows);
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rand() * (n - i));
      const tmp = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = tmp;
    }
    const sample = perm.slice(0, m).sort();

    const tree = { feature: [] as number[], threshold: [] as number[], binThreshold: [] as number[], missingLeft: [] as number[], left: [] as number[], right: [] as number[], value: [] as number[] };
    const newNode = (gs: number, hs: number) => {
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.binThreshold.push(0);
      tree.missingLeft.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push((-gs / (hs + p.lambda)) * p.learningRate);
      return tree.feature.length - 1;
    };
    let G = 0;
    let H = 0;
    for (const i of sample) (G += g[i]!), (H += h[i]!);
    const root: NodeWork = { id: newNode(G, H), rows: sample, depth: 0, g: G, h: H, hist: buildHist(sample) };
    const queue: NodeWork[] = [root];
    while (queue.length) {
      const node = queue.shift()!;
      if (node.depth >= p.maxDepth || node.rows.length < 2 * p.minSamplesLeaf) continue;
      const hist = node.hist!;
      const parentScore = (node.g * node.g) / (node.h + p.lambda);
      let bestGain = 1e-9;
      let bestF = -1;
      let bestBin = 0;
      let bestMissLeft = false;
      for (let f = 0; f < nF; f++) {
        const off = f * maxB * 3;
        const mg = hist[off]!;
        const mh = hist[off + 1]!;
        const mc = hist[off + 2]!;
        let lg = 0;
        let lh = 0;
        let lc = 0;
        for (let b = 1; b < nBins[f]! - 1; b++) {
          const o = off + b * 3;
          lg += hist[o]!;
          lh += hist[o + 1]!;
          lc += hist[o + 2]!;
          for (const missLeft of [false, true]) {
            const Lg = missLeft ? lg + mg : lg;
            const Lh = missLeft ? lh + mh : lh;
            const Lc = missLeft ? lc + mc : lc;
            const Rc = node.rows.length - Lc;
            if (Lc < p.minSamplesLeaf || Rc < p.minSamplesLeaf) continue;
            const Rg = node.g - Lg;
            const Rh = node.h - Lh;
            const gain = (Lg * Lg) / (Lh + p.lambda) + (Rg * Rg) / (Rh + p.lambda) - parentScore;
            if (gain > bestGain) {
              bestGain = gain;
              bestF = f;
              bestBin = b;
              bestMissLeft = missLeft;
            }
            if (mc === 0) break; // no missing values: one direction is enough
          }
        }
      }
      if (bestF < 0) continue;
      const b = bins[bestF]!;
      const leftRows: number[] = [];
      const rightRows: number[] = [];
      for (const i of node.rows) {
        const v = b[i]!;
        if (v === 0 ? bestMissLeft : v <= bestBin) leftRows.push(i);
        else rightRows.push(i);
      }
      const L = Uint32Array.from(leftRows);
      const R = Uint32Array.from(rightRows);
      let lg = 0;
      let lh = 0;
      for (const i of L) (lg += g[i]!), (lh += h[i]!);
      const id = node.id;
      tree.feature[id] = bestF;
      tree.threshold[id] = edges[bestF]![bestBin - 1]!;
      tree.binThreshold[id] = bestBin;
      tree.missingLeft[id] = bestMissLeft ? 1 : 0;
      const li = newNode(lg, lh);
      const ri = newNode(node.g - lg, node.h - lh);
      tree.left[id] = li;
      tree.right[id] = ri;
      if (node.depth + 1 < p.maxDepth) {
        // histogram subtraction: build the smaller child, the larger is parent − smaller
        const smallIsLeft = L.length <= R.length;
        const small = buildHist(smallIsLeft ? L : R);
        const large = new Float64Array(histSize);
        for (let k = 0; k < histSize; k++) large[k] = hist[k]! - small[k]!;
        queue.push({ id: li, rows: L, depth: node.depth + 1, g: lg, h: lh, hist: smallIsLeft ? small : large });
        queue.push({ id: ri, rows: R, depth: node.depth + 1, g: node.g - lg, h: node.h - lh, hist: smallIsLeft ? large : small });
      }
      node.hist = null;
    }
    const built: Tree = {
      feature: Int32Array.from(tree.feature),
      threshold: Float64Array.from(tree.threshold),
      binThreshold: Uint8Array.from(tree.binThreshold),
      missingLeft: Uint8Array.from(tree.missingLeft),
      left: Int32Array.from(tree.left),
      right: Int32Array.from(tree.right),
      value: Float64Array.from(tree.value),
    };
    trees.push(built);
    // update every row's score through the binned tree
    for (let i = 0; i < n; i++) {
      let k = 0;
      while (built.feature[k]! >= 0) {
        const v = bins[built.feature[k]!]![i]!;
        k = (v === 0 ? built.missingLeft[k] === 1 : v <= built.binThreshold[k]!) ? built.left[k]! : built.right[k]!;
      }
      F[i] = F[i]! + built.value[k]!;
    }
    if (valid && validF) {
      let loss = 0;
      for (let i = 0; i < valid.y.length; i++) {
        validF[i] = validF[i]! + leafValue(built, valid.x, i);
        const pr = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(validF[i]!)));
        loss -= valid.y[i] ? Math.log(pr) : Math.log(1 - pr);
      }
      if (loss < best - 1e-9) {
        best = loss;
        bestIter = t + 1;
      } else if (p.earlyStoppingRounds > 0 && t + 1 - bestIter >= p.earlyStoppingRounds) {
        onProgress?.(t + 1, t + 1);
        break;
      }
    } else bestIter = t + 1;
    onProgress?.(t + 1, p.nTrees);
  }
  // early stopping keeps the trees up to the best validation loss; without it, every tree
  const kept = p.earlyStoppingRounds > 0 && valid ? trees.slice(0, Math.max(1, bestIter)) : trees;
  return { features, baseScore, trees: kept, params: p, bestIteration: kept.length };
}

function leafValue(tree: Tree, x: Float64Array[], i: number): number {
  let k = 0;
  while (tree.feature[k]! >= 0) {
    const v = x[tree.feature[k]!]![i]!;
    k = (Number.isNaN(v) ? tree.missingLeft[k] === 1 : v <= tree.threshold[k]!) ? tree.left[k]! : tree.right[k]!;
  }
  return tree.value[k]!;
}

/** Probability of the positive class for each row of a column-major table. */
export function predictProba(model: GbdtModel, x: Float64Array[]): Float64Array {
  const n = x[0]?.length ?? 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = model.baseScore;
    for (const t of model.trees) z += leafValue(t, x, i);
    out[i] = sigmoid(z);
  }
  return out;
}

/**
 * What each feature added to one row's log-odds (Saabas): along each tree's path, the change in the
 * node value at a split is credited to the split's feature. bias + Σ contributions = the log-odds.
 */
export function contributions(model: GbdtModel, row: number[]): { bias: number; byFeature: number[] } {
  const by = new Array<number>(model.features.length).fill(0);
  let bias = model.baseScore;
  for (const t of model.trees) {
    let k = 0;
    bias += t.value[0]!;
    while (t.feature[k]! >= 0) {
      const f = t.feature[k]!;
      const v = row[f]!;
      const next = (Number.isNaN(v) ? t.missingLeft[k] === 1 : v <= t.threshold[k]!) ? t.left[k]! : t.right[k]!;
      by[f] = by[f]! + t.value[next]! - t.value[k]!;
      k = next;
    }
  }
  return { bias, byFeature: by };
}

/** A model as JSON (typed arrays as plain arrays) for storage; and back. */
export function modelToJson(m: GbdtModel): string {
  return JSON.stringify({ ...m, trees: m.trees.map((t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)]))) });
}

export function modelFromJson(s: string): GbdtModel {
  const o = JSON.parse(s) as GbdtModel & { trees: Record<string, number[]>[] };
  return {
    ...o,
    trees: o.trees.map((t) => ({
      feature: Int32Array.from(t['feature']!),
      threshold: Float64Array.from(t['threshold']!),
      binThreshold: Uint8Array.from(t['binThreshold']!),
      missingLeft: Uint8Array.from(t['missingLeft']!),
      left: Int32Array.from(t['left']!),
      right: Int32Array.from(t['right']!),
      value: Float64Array.from(t['value']!),
    })),
  };
}
