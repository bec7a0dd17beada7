import { standardNormals } from './picks.js';

/**
 * One draw z = mu + sd * eps from each image's posterior N(mu, diag(exp(logVar))), seeded: the points the
 * posts scatter. Means alone hide the posterior's width (a KL-only model's means collapse to a dot while
 * its samples fill the prior); samples show both where the code sits and how sure the encoder is.
 */
export function sampleLatents(mu: Float32Array, logVar: Float32Array, count: number, dim: number, seed: number): Float32Array {
  if (mu.length !== count * dim || logVar.length !== count * dim) throw new RangeError(`sampleLatents: expected ${count} x ${dim} means and log-variances`);
  const eps = standardNormals(count * dim, seed);
  return Float32Array.from(mu, (m, k) => m + Math.exp(0.5 * logVar[k]!) * eps[k]!);
}
