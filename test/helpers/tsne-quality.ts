import { createRng } from '../../src/data/batches.js';

/** Points for the t-SNE tests: n x dim, row-major, and a label per point. */
export interface Cloud {
  points: Float32Array;
  labels: number[];
  n: number;
  dim: number;
}

/**
 * `clusters` unit-variance Gaussian clusters in `dim` dimensions, centres `gap` apart on separate axes
 * (cluster c on axis c), points dealt round-robin; clusters 1 gives one structureless Gaussian blob.
 */
export function gaussianClusters(n: number, dim: number, clusters: number, gap: number, seed: number): Cloud {
  const rng = createRng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const labels = Array.from({ length: n }, (_, i) => i % clusters);
  const points = Float32Array.from({ length: n * dim }, (_, k) => {
    const label = labels[Math.floor(k / dim)]!;
    return (clusters > 1 && k % dim === label ? gap : 0) + normal();
  });
  return { points, labels, n, dim };
}

/** Squared distances from row i to every row of x (n x width). */
function distancesFrom(x: ArrayLike<number>, n: number, width: number, i: number): Float64Array {
  const d = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let a = 0; a < width; a++) s += (x[i * width + a]! - x[j * width + a]!) ** 2;
    d[j] = s;
  }
  return d;
}

/** Indices of the k nearest other rows, nearest first. */
function nearest(d: Float64Array, i: number, k: number): number[] {
  return Array.from(d.keys()).filter((j) => j !== i).sort((a, b) => d[a]! - d[b]! || a - b).slice(0, k);
}

/**
 * Trustworthiness (Venna & Kaski; scikit-learn's `trustworthiness`): 1 minus a penalty for every point
 * that is among i's k nearest in the embedding but not in the input, weighted by how far down i's input
 * ranking it is. 1: the embedding invents no neighbours.
 */
export function trustworthiness(x: Float32Array, y: Float32Array, n: number, dim: number, k: number): number {
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const dx = distancesFrom(x, n, dim, i);
    const inputRank = new Map(nearest(dx, i, n - 1).map((j, r) => [j, r + 1]));
    for (const j of nearest(distancesFrom(y, n, 2, i), i, k)) penalty += Math.max(0, inputRank.get(j)! - k);
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/** Share of points whose nearest other point in the embedding has the same label. */
export function neighbourAgreement(y: Float32Array, labels: readonly number[]): number {
  const n = labels.length;
  let agree = 0;
  for (let i = 0; i < n; i++) if (labels[nearest(distancesFrom(y, n, 2, i), i, 1)[0]!] === labels[i]) agree++;
  return agree / n;
}

/** Smallest distance between cluster centroids over the largest mean distance of points to their centroid. */
export function separation(y: Float32Array, labels: readonly number[]): number {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const members = classes.map((c) => labels.flatMap((l, i) => (l === c ? [i] : [])));
  const centroids = members.map((rows) => [0, 1].map((a) => rows.reduce((s, i) => s + y[2 * i + a]!, 0) / rows.length) as [number, number]);
  const spread = Math.max(...members.map((rows, c) => rows.reduce((s, i) => s + Math.hypot(y[2 * i]! - centroids[c]![0], y[2 * i + 1]! - centroids[c]![1]), 0) / rows.length));
  let gap = Infinity;
  for (let a = 0; a < classes.length; a++) {
    for (let b = a + 1; b < classes.length; b++) gap = Math.min(gap, Math.hypot(centroids[a]![0] - centroids[b]![0], centroids[a]![1] - centroids[b]![1]));
  }
  return gap / spread;
}
