import * as tf from '@tensorflow/tfjs';
import { offer, scanNearest, type Neighbours } from './nearest-scan.js';

/**
 * Exact k nearest neighbours with the distance products on the tfjs backend, for backends whose float32
 * matMul rounds as IEEE float32 (activeBackend().ieeeFloat32MatMul()).
 *
 * The backend scores every (reference, query) pair in float32, one product of augmented rows (scoreRows),
 * so that |q|^2 - score - errorBound(|q|^2) is a floor under the pair's exact distance, and reduces each
 * run of GROUP consecutive reference points to its best score; only these maxima come back. For each
 * query, the runs with the best maxima hold the candidates, whose exact distances (nearest-scan.ts) are
 * computed here; every point left out lies in a run whose maximum is at most the best one left out, s*, so
 * its exact distance is at least |q|^2 - s* - errorBound(|q|^2). When the k-th candidate is nearer than
 * this floor, the candidates hold the k nearest; otherwise (near ties, duplicate or collapsed points) that
 * query is scanned exactly. The result is the scan's, ties included, whatever the backend's summation order.
 */

const GROUP = 32; // reference points the backend reduces to one maximum
const EXTRA_GROUPS = 2; // runs searched beyond k, so the first run left out is rarely as near as the k-th point
const MAX_BLOCK = 1024; // queries one product covers
const MAX_FLOATS = 2 ** 24; // 64 MB: the largest score matrix one product makes
const PAD = 2 ** 126; // the squared norm of padding rows: their scores sit far below any real one
const MAX_NORM = 2 ** 100; // larger squared norms could overflow float32 scores (2^128)

/** Points as the backend sees them: centred on a mean shared by every set compared, rounded to float32. */
export interface Centred {
  raw: Float32Array; // the points as given, row-major [n, d]: exact distances use these
  x: Float32Array; // fl32(raw - mean): distances are the same, norms (and so rounding errors) smaller
  norms: Float64Array; // |x_i|^2, summed in float64
  maxNorm: number;
  n: number;
  d: number;
}

/** The mean of the rows of several [n_s, d] sets together, in float64. */
export function meanOf(sets: Float32Array[], d: number): Float64Array {
  const mean = new Float64Array(d);
  let rows = 0;
  for (const x of sets) {
    for (let i = 0; i < x.length; i++) mean[i % d] = mean[i % d]! + x[i]!;
    rows += x.length / d;
  }
  return mean.map((s) => s / Math.max(rows, 1));
}

export function centre(raw: Float32Array, n: number, d: number, mean: Float64Array): Centred {
  const x = new Float32Array(n * d);
  const norms = new Float64Array(n);
  let maxNorm = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let t = 0; t < d; t++) {
      const v = Math.fround(raw[i * d + t]! - mean[t]!);
      x[i * d + t] = v;
      sum += v * v;
    }
    norms[i] = sum;
    maxNorm = Math.max(maxNorm, sum);
  }
  return { raw, x, norms, maxNorm, n, d };
}

/** Whether float32 scores of these points can neither overflow nor meet a NaN or an infinity. */
export function fits(...sets: Centred[]): boolean {
  return sets.every((s) => s.norms.every((v) => v <= MAX_NORM));
}

/**
 * A bound on |est - exact| for a squared distance estimated on the backend from centred float32 rows, where
 * normSum bounds the sum of the absolute values of the terms the product adds (with a score 2 x.q - |x|^2,
 * |q|^2 + 2 |x|^2). A float32 inner product of K terms, in any summation order, errs by at most
 * K u / (1 - K u) times that sum (u = 2^-24, Higham's gamma_K); rounding the norm to float32, centring
 * (which moves each point by at most u |x - mean| per coordinate: 4 u (|x|^2 + |q|^2) on the squared
 * distance), the float64 steps and exact's own float64 rounding add under 8 u more. (d + 16) 2^-23 is twice
 * the sum for any d below 2^20. The floor covers denormals flushed to zero (oneDNN runs with FTZ and DAZ):
 * each of the d + 2 terms then loses at most 2^-126 times a factor below 1 + normSum.
 */
export function errorBound(d: number, normSum: number): number {
  return boundPerNorm(d) * normSum + (d + 2) * 2 ** -100;
}

const boundPerNorm = (d: number) => (d + 16) * 2 ** -23;

export interface NearestOptions {
  k: number; // at most ref.n
  kthOnly: boolean; // only the k-th distance must be exact: points tied with it may then stand in any order
  slackScale?: number; // multiplies the error bound; tests set it below 1 to show the bound is what decides
}

/** The k nearest reference points of each query, as scanNearest finds them; fallbacks counts exact rescans. */
export function nearestOnBackend(ref: Centred, query: Centred, o: NearestOptions): Neighbours & { fallbacks: number } {
  const { k } = o;
  const d = ref.d;
  const groups = Math.ceil(ref.n / GROUP);
  const chosen = Math.min(groups, k + EXTRA_GROUPS);
  const ranked = Math.min(groups, chosen + 1); // the chosen runs and the best one left out
  const block = blockRows(groups * GROUP);
  const out: Neighbours = { dist: new Float64Array(query.n * k).fill(Infinity), index: new Int32Array(query.n * k).fill(-1) };
  const unsure: number[] = [];
  const scale = o.slackScale ?? 1;
  const refRows = tf.tensor2d(scoreRows(ref, groups * GROUP, 1 - 2 * scale * boundPerNorm(d)), [groups * GROUP, d + 1]);
  try {
    for (let q0 = 0; q0 < query.n; q0 += block) {
      const rows = Math.min(block, query.n - q0);
      const maxima = groupMaxima(refRows, queryColumns(query, q0, rows), groups, rows);
      const top = topGroups(maxima, groups, rows, ranked);
      for (let r = 0; r < rows; r++) {
        const q = q0 + r;
        offerGroups(ref, query, q, top.index.subarray(r * ranked, r * ranked + chosen), k, out);
        if (chosen === groups) continue; // every point was a candidate
        const floor = query.norms[q]! - top.value[r * ranked + chosen]! - scale * errorBound(d, query.norms[q]!);
        const kth = out.dist[q * k + k - 1]!;
        // distances are never negative: a k-th distance of 0 is final whatever the floor
        if (!(o.kthOnly ? kth <= Math.max(0, floor) : kth < floor)) unsure.push(q);
      }
    }
  } finally {
    refRows.dispose();
  }
  rescan(ref, query, unsure, k, out);
  return { ...out, fallbacks: unsure.length };
}

/** How many rows a block of products against `cols` columns may have. */
export function blockRows(cols: number): number {
  return Math.max(1, Math.min(MAX_BLOCK, Math.floor(MAX_FLOATS / cols)));
}

/**
 * [nPad, d + 1]: each point's centred coordinates and its squared norm times shrink; padding rows score
 * -PAD. With shrink = 1 - 2 b (b = boundPerNorm), a score is 2 x.q - |x|^2 + 2 b |x|^2: the part of a
 * point's error bound b (|q|^2 + 2 |x|^2) that its own norm brings is already added, so that
 * |q|^2 - score - errorBound(|q|^2) is a floor under its exact distance, a tight one for every point.
 */
function scoreRows(ref: Centred, nPad: number, shrink: number): Float32Array {
  const d = ref.d;
  const rows = new Float32Array(nPad * (d + 1));
  for (let i = 0; i < nPad; i++) {
    if (i < ref.n) rows.set(ref.x.subarray(i * d, i * d + d), i * (d + 1));
    rows[i * (d + 1) + d] = i < ref.n ? shrink * ref.norms[i]! : PAD;
  }
  return rows;
}

/** [d + 1, rows]: query q0 + r as column r, (2 q, -1), so that scoreRows x columns = 2 x.q - |x|^2. */
function queryColumns(query: Centred, q0: number, rows: number): Float32Array {
  const d = query.d;
  const cols = new Float32Array((d + 1) * rows);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < d; t++) cols[t * rows + r] = 2 * query.x[(q0 + r) * d + t]!;
    cols[d * rows + r] = -1;
  }
  return cols;
}

/** [groups, rows]: the best score of each run of GROUP reference points for each query column. */
function groupMaxima(refRows: tf.Tensor2D, cols: Float32Array, groups: number, rows: number): Float32Array {
  const maxima = tf.tidy(() => {
    const scores = tf.matMul(refRows, tf.tensor2d(cols, [cols.length / rows, rows]));
    // queries as channels: the pooling runs along the reference points, vectorised across queries
    return tf.maxPool(scores.reshape([1, groups * GROUP, 1, rows]) as tf.Tensor4D, [GROUP, 1], [GROUP, 1], 'valid');
  });
  try {
    return maxima.dataSync() as Float32Array;
  } finally {
    maxima.dispose();
  }
}

/** For each query column, the `ranked` runs with the best maxima, best first: [rows, ranked] indices and values. */
function topGroups(maxima: Float32Array, groups: number, rows: number, ranked: number): { index: Int32Array; value: Float64Array } {
  const index = new Int32Array(rows * ranked).fill(-1);
  const value = new Float64Array(rows * ranked).fill(-Infinity);
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < rows; r++) {
      const v = maxima[g * rows + r]!;
      const base = r * ranked;
      if (v <= value[base + ranked - 1]!) continue;
      let p = base + ranked - 1;
      for (; p > base && value[p - 1]! < v; p--) {
        value[p] = value[p - 1]!;
        index[p] = index[p - 1]!;
      }
      value[p] = v;
      index[p] = g;
    }
  }
  return { index, value };
}

/**
 * Offers every point of the given runs to query q's list by its exact distance (exactSq's sum). The best
 * run comes first, so the list soon holds near points and most sums stop early.
 */
function offerGroups(ref: Centred, query: Centred, q: number, runs: Int32Array, k: number, out: Neighbours): void {
  const { d, raw: x } = ref;
  const y = query.raw;
  const last = q * k + k - 1;
  for (const g of runs) {
    const end = Math.min(ref.n, g * GROUP + GROUP);
    for (let i = g * GROUP; i < end; i++) {
      const worst = out.dist[last]!;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = x[i * d + t]! - y[q * d + t]!;
        s += diff * diff;
        // partial sums only grow: past the k-th distance, the point cannot enter the list
        if ((t & 7) === 7 && s > worst) break;
      }
      if (s <= worst) offer(out.dist, out.index, q * k, k, s, i);
    }
  }
}

/** Replaces the lists of the given queries by an exact scan's. */
function rescan(ref: Centred, query: Centred, queries: number[], k: number, out: Neighbours): void {
  if (queries.length === 0) return;
  const d = ref.d;
  const picked = new Float32Array(queries.length * d);
  queries.forEach((q, r) => picked.set(query.raw.subarray(q * d, q * d + d), r * d));
  const found = scanNearest(ref.raw, ref.n, picked, queries.length, d, k);
  queries.forEach((q, r) => {
    out.dist.set(found.dist.subarray(r * k, r * k + k), q * k);
    out.index.set(found.index.subarray(r * k, r * k + k), q * k);
  });
}
