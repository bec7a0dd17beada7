import type { Latents, SplitLatents } from '../run/latents.js';

/**
 * Per-dimension summaries of the encoder's posteriors N(mu, diag(exp(logVar))), computed from the
 * latents the run saved (no model needed).
 */

/** Mean over the examples of KL(q(z_j|x) || N(0, 1)) for each dimension j, in nats. */
export function klPerDim(split: SplitLatents, dim: number): number[] {
  const kl = new Float64Array(dim);
  for (let i = 0; i < split.count; i++) {
    for (let j = 0; j < dim; j++) {
      const m = split.mu[i * dim + j] ?? 0;
      const lv = split.logVar[i * dim + j] ?? 0;
      kl[j] = (kl[j] ?? 0) + 0.5 * (m * m + Math.exp(lv) - lv - 1);
    }
  }
  return Array.from(kl, (v) => v / Math.max(1, split.count));
}

/** A dimension counts as active when its average KL exceeds this (nats): it carries information. */
export const ACTIVE_KL = 0.01;

export function activeDims(kl: readonly number[], threshold = ACTIVE_KL): number[] {
  return kl.flatMap((v, j) => (v > threshold ? [j] : []));
}

/** The two dimensions with the largest average KL, in index order (dims 0 and 1 when latentDim is 2). */
export function strongestPair(kl: readonly number[]): [number, number] {
  if (kl.length < 2) throw new RangeError(`strongestPair: needs latentDim >= 2, got ${kl.length}`);
  const order = kl.map((v, j) => ({ v, j })).sort((a, b) => b.v - a.v || a.j - b.j);
  const [a, b] = [order[0]!.j, order[1]!.j].sort((x, y) => x - y) as [number, number];
  return [a, b];
}

/**
 * The latent plane every 2-d figure of a run uses (manifolds, class grids, contours, explorer): the two
 * dimensions with the largest average KL over the test set, so a wider code is shown where it carries
 * the most information, and all figures of one report show the same plane.
 */
export function strongestPlane(latents: Latents): [number, number] {
  return strongestPair(klPerDim(latents.splits['test']!, latents.latentDim));
}

/** Mean of the posterior means of one class (or of all examples when label is null). */
export function classMean(split: SplitLatents, dim: number, label: number | null): Float32Array {
  const sum = new Float64Array(dim);
  let n = 0;
  for (let i = 0; i < split.count; i++) {
    if (label !== null && split.labels[i] !== label) continue;
    n++;
    for (let j = 0; j < dim; j++) sum[j] = (sum[j] ?? 0) + (split.mu[i * dim + j] ?? 0);
  }
  if (n === 0) throw new RangeError(`classMean: no examples of class ${String(label)}`);
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
