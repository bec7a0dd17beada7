import type { SplitLatents } from '../../run/latents.js';

/**
 * Summaries of the encoder's posteriors N(mu, diag(exp(logVar))) that the figures need beyond what the
 * run's evaluation records, computed from the latents the run saved (no model needed).
 */

/**
 * The two dimensions with the largest average KL, in index order (dims 0 and 1 when latentDim is 2): the
 * plane every 2-d figure shows, so a wider code is drawn where it carries the most information.
 */
export function strongestPair(kl: readonly number[]): [number, number] {
  if (kl.length < 2) throw new RangeError(`strongestPair: needs latentDim >= 2, got ${kl.length}`);
  const order = kl.map((v, j) => ({ v, j })).sort((a, b) => b.v - a.v || a.j - b.j);
  const [a, b] = [order[0]!.j, order[1]!.j].sort((x, y) => x - y) as [number, number];
  return [a, b];
}

/** Mean of the posterior means of one class. */
export function classMean(split: SplitLatents, dim: number, label: number): Float32Array {
  const sum = new Float64Array(dim);
  let n = 0;
  for (let i = 0; i < split.count; i++) {
    if (split.labels[i] !== label) continue;
    n++;
    for (let j = 0; j < dim; j++) sum[j] = (sum[j] ?? 0) + (split.mu[i * dim + j] ?? 0);
  }
  if (n === 0) throw new RangeError(`classMean: no examples of class ${label}`);
  return Float32Array.from(sum, (v) => v / n);
}

/** Standard deviation, per dimension, of one class's posterior means around their mean. */
export function classStd(split: SplitLatents, dim: number, label: number): Float32Array {
  const mean = classMean(split, dim, label);
  const sq = new Float64Array(dim);
  let n = 0;
  for (let i = 0; i < split.count; i++) {
    if (split.labels[i] !== label) continue;
    n++;
    for (let j = 0; j < dim; j++) sq[j] = (sq[j] ?? 0) + ((split.mu[i * dim + j] ?? 0) - mean[j]!) ** 2;
  }
  return Float32Array.from(sq, (v) => Math.sqrt(v / n));
}

/**
 * Standard deviation, per dimension, of the aggregate posterior (the mixture of every image's N(μ, σ²)):
 * sqrt(variance of the means + mean of the variances). The scale a traversal sweeps: ±3 of it covers
 * where the encoder puts codes, whatever the prior says.
 */
export function aggregateStd(split: SplitLatents, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  const meanVar = new Float64Array(dim);
  for (let i = 0; i < split.count; i++) {
    for (let j = 0; j < dim; j++) {
      mean[j]! += split.mu[i * dim + j]!;
      meanVar[j]! += Math.exp(split.logVar[i * dim + j]!);
    }
  }
  const n = Math.max(split.count, 1);
  const spread = new Float64Array(dim);
  for (let i = 0; i < split.count; i++) for (let j = 0; j < dim; j++) spread[j]! += (split.mu[i * dim + j]! - mean[j]! / n) ** 2;
  return Float64Array.from(spread, (s, j) => Math.sqrt(s / n + meanVar[j]! / n));
}
