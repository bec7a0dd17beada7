import { columnVariances } from '../models/column-variances.js';
import type { LatentMetrics } from '../run/eval-metrics.js';

/**
 * How much of the latent space a model uses, from the posterior means and log-variances of a split
 * ([count, dim] row-major), in float64. A dimension u is active (Burda et al.) when the variance over the
 * data of its posterior mean, Var_x E_q(z|x)[z_u], exceeds a threshold (0.01): an inactive dimension has a
 * posterior that ignores x, so the decoder cannot use it.
 */
export type LatentUsage = Omit<LatentMetrics, 'dim'>;

/** muVariance is the variance over the images (divided by count); klPerDim the mean closed-form KL per dimension. */

export function latentUsage(mu: ArrayLike<number>, logVar: ArrayLike<number>, count: number, dim: number, threshold: number): LatentUsage {
  if (mu.length !== count * dim || logVar.length !== count * dim) {
    throw new RangeError(`expected ${count} x ${dim} posterior means and log-variances, found ${mu.length} and ${logVar.length}`);
  }
  const kl = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let u = 0; u < dim; u++) {
      const m = mu[i * dim + u]!;
      const lv = logVar[i * dim + u]!;
      kl[u]! += 0.5 * (m * m + Math.exp(lv) - lv - 1);
    }
  }
  const muVariance = columnVariances(mu, count, dim);
  return {
    activeUnits: muVariance.filter((v) => v > threshold).length,
    threshold,
    muVariance,
    klPerDim: Array.from(kl, (v) => v / count),
  };
}
