/**
 * The Fréchet distance between two Gaussians fitted to feature vectors, in float64.
 *
 * FID computes this distance on Inception-v3 features of ImageNet; vaelab computes it on the features of a
 * small classifier trained on the run's own data set. The formula is the same, but the numbers do not
 * compare with published FID values, so nothing here, nor any report built on it, calls the result "FID".
 */

/** Mean and covariance of a feature set; cov is [d, d] row-major. */
export interface FeatureStats {
  mean: Float64Array;
  cov: Float64Array;
}

/**
 * Mean and unbiased covariance (divided by n - 1) of n feature vectors of length d, given row-major [n, d].
 * Sums run in float64: the covariance of thousands of float32 features loses digits that the trace term of
 * the distance, a difference of nearly equal numbers, then needs.
 */
export function featureStats(features: Float32Array | Float64Array, n: number, d: number): FeatureStats {
  if (features.length !== n * d) throw new RangeError(`expected ${n} x ${d} features, found ${features.length} values`);
  if (n < 2) throw new RangeError(`a covariance needs at least 2 feature vectors, found ${n}`);
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i]! += features[r * d + i]!;
  for (let i = 0; i < d; i++) mean[i]! /= n;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) centred[i] = features[r * d + i]! - mean[i]!;
    // upper triangle only: the covariance is symmetric, and this halves the n d^2 work
    for (let i = 0; i < d; i++) {
      const ci = centred[i]!;
      for (let j = i; j < d; j++) cov[i * d + j]! += ci * centred[j]!;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[i * d + j]! / (n - 1);
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return { mean, cov };
}

/**
 * d^2 = ||mu_a - mu_b||^2 + Tr(Sa + Sb - 2 (Sa Sb)^{1/2}), the Fréchet (2-Wasserstein) distance between
 * N(mu_a, Sa) and N(mu_b, Sb), squared. Sa Sb is not symmetric, so its square root is taken through
 * M = A Sb A with A = Sa^{1/2}: M is symmetric positive semi-definite and has the eigenvalues of Sa Sb, hence
 * Tr((Sa Sb)^{1/2}) = sum sqrt(eig(M)). Both square roots come from a Jacobi eigendecomposition, which stays
 * accurate for the tiny eigenvalues of a near-singular covariance. sqrtError is ||R R - M||_F / ||M||_F for
 * the computed root R of M: it grows when round-off leaves M with negative eigenvalues, telling the caller
 * the trace term is unreliable (too few samples for the feature dimension, or collapsed features).
 */
export function frechetDistance(a: FeatureStats, b: FeatureStats, d: number): { distance: number; sqrtError: number } {
  for (const [name, s] of [['a', a], ['b', b]] as const) {
    if (s.mean.length !== d || s.cov.length !== d * d) {
      throw new RangeError(`stats ${name}: expected a mean of ${d} and a ${d} x ${d} covariance, found ${s.mean.length} and ${s.cov.length} values`);
    }
    if (!s.mean.every(Number.isFinite) || !s.cov.every(Number.isFinite)) throw new RangeError(`stats ${name} hold a NaN or an infinity`);
  }
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += a.cov[i * d + i]! + b.cov[i * d + i]!;

  const rootA = symmetricSqrt(a.cov, d).root;
  const m = symmetrize(matmul(matmul(rootA, b.cov, d), rootA, d), d);
  const { root, rootTrace } = symmetricSqrt(m, d);
  const residual = matmul(root, root, d);
  let errSq = 0;
  let normSq = 0;
  for (let i = 0; i < d * d; i++) {
    errSq += (residual[i]! - m[i]!) ** 2;
    normSq += m[i]! ** 2;
  }
  const sqrtError = normSq === 0 ? 0 : Math.sqrt(errSq / normSq);
  // a squared distance is never negative: a value below zero is round-off of two equal terms cancelling
  return { distance: Math.max(0, meanTerm + traces - 2 * rootTrace), sqrtError };
}

/** The symmetric PSD square root V diag(sqrt(max(0, lambda))) V^T, and its trace. */
function symmetricSqrt(s: Float64Array, d: number): { root: Float64Array; rootTrace: number } {
  const { values, vectors } = jacobiEigen(s, d);
  // round-off leaves eigenvalues of a PSD matrix a few ulps below zero; their true value is 0
  const roots = values.map((v) => Math.sqrt(Math.max(0, v)));
  const root = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += vectors[i * d + k]! * roots[k]! * vectors[j * d + k]!;
      root[i * d + j] = sum;
      root[j * d + i] = sum;
    }
  }
  return { root, rootTrace: roots.reduce((acc, r) => acc + r, 0) };
}

const EPS = 2 ** -52;
const TINY = 1e-300; // below this an off-diagonal entry is zero for any covariance of real features
const MAX_SWEEPS = 100;

/**
 * Eigenvalues and eigenvectors (columns of the row-major vectors) of a symmetric matrix, by cyclic Jacobi
 * rotations. Jacobi is slower than QR but simple, and with the relative skip test below it finds small
 * eigenvalues to high relative accuracy, which the square root of a near-singular covariance needs.
 */
function jacobiEigen(s: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(s);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        const app = a[p * d + p]!;
        const aqq = a[q * d + q]!;
        // negligible next to the diagonal (Demmel-Veselic): zero it, as a rotation would change nothing
        if (Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app * aqq)) || Math.abs(apq) < TINY) {
          a[p * d + q] = 0;
          a[q * d + p] = 0;
          continue;
        }
        rotated = true;
        const theta = (aqq - app) / (2 * apq);
        // the smaller root of t^2 + 2 theta t - 1 = 0; hypot keeps theta^2 from overflowing
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.hypot(theta, 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < d; k++) {
          if (k === p || k === q) continue;
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          const kp = c * akp - sn * akq;
          const kq = sn * akp + c * akq;
          a[k * d + p] = kp;
          a[p * d + k] = kp;
          a[k * d + q] = kq;
          a[q * d + k] = kq;
        }
        a[p * d + p] = app - t * apq;
        a[q * d + q] = aqq + t * apq;
        a[p * d + q] = 0;
        a[q * d + p] = 0;
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - sn * vkq;
          v[k * d + q] = sn * vkp + c * vkq;
        }
      }
    }
    if (!rotated) {
      const values = new Float64Array(d);
      for (let i = 0; i < d; i++) values[i] = a[i * d + i]!;
      return { values, vectors: v };
    }
  }
  throw new Error(`Jacobi eigendecomposition of a ${d} x ${d} matrix did not converge in ${MAX_SWEEPS} sweeps`);
}

function matmul(x: Float64Array, y: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  // i-k-j order walks y and out along rows, which keeps the inner loop on contiguous memory
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const xik = x[i * d + k]!;
      if (xik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j]! += xik * y[k * d + j]!;
    }
  }
  return out;
}

/** (M + M^T) / 2: A Sb A is symmetric in exact arithmetic, and Jacobi reads only the upper triangle's pairs. */
function symmetrize(m: Float64Array, d: number): Float64Array {
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const v = (m[i * d + j]! + m[j * d + i]!) / 2;
      m[i * d + j] = v;
      m[j * d + i] = v;
    }
  }
  return m;
}
