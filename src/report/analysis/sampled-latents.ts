import type { Pca2 } from './pca.js';
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

/** n points of `dim` values on the two components of a PCA fitted elsewhere (the means'): [n, 2] row-major. */
export function projectOnto(points: Float32Array, n: number, dim: number, pca: Pick<Pca2, 'mean' | 'components'>): Float32Array {
  const out = new Float32Array(n * 2);
  const [a, b] = pca.components;
  for (let i = 0; i < n; i++) {
    let u = 0;
    let w = 0;
    for (let d = 0; d < dim; d++) {
      const x = points[i * dim + d]! - pca.mean[d]!;
      u += x * a[d]!;
      w += x * (b[d] ?? 0);
    }
    out[2 * i] = u;
    out[2 * i + 1] = w;
  }
  return out;
}
