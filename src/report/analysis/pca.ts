import { fixSign, symmetricEigen } from './eigen.js';
import { gatherRows } from './picks.js';

export interface Pca2 {
  projected: Float32Array; // n x 2, row-major: the centred points on the two components
  explained: [number, number]; // share of the total variance along each component
  components: [Float64Array, Float64Array]; // unit vectors of length dim, largest-magnitude entry positive
  mean: Float64Array; // the centre subtracted before projecting (classGaussiansProjected needs it too)
}

/**
 * Principal components of n points in `dim` dimensions (row-major), the top two of them.
 *
 * The covariance (population, / n; ratios do not depend on the divisor) is eigendecomposed exactly by
 * Jacobi, so the result is deterministic and identical across runs; each component's sign is fixed so
 * its largest-magnitude entry is positive. dim = 2 goes through the same path (a rotation of the input,
 * not the input itself), so every latent size is plotted the same way. dim = 1 has no second direction:
 * the second component is the zero vector and its coordinate is 0. With no variance at all (n <= 1 or
 * identical points) the components are the first unit axes and both ratios are 0.
 */
export function pca2(points: Float32Array, n: number, dim: number): Pca2 {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`pca2: dim must be a positive integer, got ${dim}`);
  if (points.length !== n * dim) throw new RangeError(`pca2: expected ${n} x ${dim} = ${n * dim} values, got ${points.length}`);

  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d]! += points[i * dim + d]!;
  for (let d = 0; d < dim; d++) mean[d]! /= Math.max(n, 1);

  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = points[i * dim + d]! - mean[d]!;
    for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[a * dim + b]! += row[a]! * row[b]!;
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b]! /= Math.max(n, 1);
      cov[b * dim + a] = cov[a * dim + b]!;
    }
  }

  const { values, vectors } = symmetricEigen(cov, dim);
  const first = fixSign(vectors[0]!);
  const second = dim > 1 ? fixSign(vectors[1]!) : new Float64Array(1);
  // Eigenvalues of a covariance are >= 0; rounding can leave tiny negatives, which are 0.
  let total = 0;
  for (const value of values) total += Math.max(value, 0);
  const share = (value: number | undefined): number => (total > 0 ? Math.max(value ?? 0, 0) / total : 0);

  const projected = projectOnto(points, n, dim, { mean, components: [first, second] });
  return { projected, explained: [share(values[0]), share(values[1])], components: [first, second], mean };
}

/** n points of `dim` values on two components fitted elsewhere (another set's PCA): [n, 2] row-major. */
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

/**
 * Where the scatters place the posterior means `pick` (row-major [count, dim]): the means themselves for
 * dim 2 (explained null), else their first two principal coordinates, the axes taken from all `count`
 * means so that drawing a subset does not move them. Returns [pick.length, 2] row-major.
 */
export function meansIn2d(mu: Float32Array, count: number, dim: number, pick: readonly number[]): { xy: Float32Array; explained: [number, number] | null } {
  if (dim === 2) return { xy: gatherRows(mu, 2, pick), explained: null };
  const { projected, explained } = pca2(mu, count, dim);
  return { xy: gatherRows(projected, 2, pick), explained };
}
