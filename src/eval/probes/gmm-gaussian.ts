/**
 * Float64 kernels of the Gaussian mixture: Cholesky factors, the log density of every point under every
 * weighted component, and the log-sum-exp over components that turns those into responsibilities. The
 * components are packed in flat typed arrays so the O(n C d^2) loops run over contiguous memory;
 * gmm-mixture.ts converts them to and from the JSON-friendly GaussianMixture.
 */

/** C full-covariance Gaussians in d dimensions: weights [C], means [C, d], covs [C, d, d], row-major. */
export interface Packed {
  c: number;
  d: number;
  weights: Float64Array;
  means: Float64Array;
  covs: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The lower-triangular L with L L^T = A for the d x d matrix A stored at a[offset..], reading only A's lower
 * triangle; null when A is not (numerically) positive definite, so each caller can say what that means.
 */
export function cholesky(a: Float64Array, d: number, offset = 0): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[offset + j * d + j]!;
    for (let k = 0; k < j; k++) s -= l[j * d + k]! ** 2;
    // `!(s > 0)` also rejects a NaN pivot
    if (!(s > 0)) return null;
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[offset + i * d + j]!;
      for (let k = 0; k < j; k++) t -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = t / ljj;
    }
  }
  return l;
}

/** The inverse of a d x d lower-triangular matrix (lower-triangular too), by forward substitution. */
function lowerInverse(l: Float64Array, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  for (let col = 0; col < d; col++) {
    inv[col * d + col] = 1 / l[col * d + col]!;
    for (let i = col + 1; i < d; i++) {
      let t = 0;
      for (let m = col; m < i; m++) t -= l[i * d + m]! * inv[m * d + col]!;
      inv[i * d + col] = t / l[i * d + i]!;
    }
  }
  return inv;
}

/**
 * log w_k + log N(x_i | mu_k, S_k) for every point i and component k, as [n, C] row-major, given each
 * component's Cholesky factor L_k. The Mahalanobis term is |P (x - mu)|^2 with P = L^-1 (scikit-learn's
 * precisions_cholesky): unlike a forward substitution per point, the d rows of P (x - mu) are independent
 * sums the CPU overlaps. log det S = 2 sum log L_jj. Points are centred first: P x - P mu would cancel
 * digits for a narrow component far from the origin.
 */
export function componentLogDensities(x: Float32Array, n: number, p: Packed, factors: Float64Array[]): Float64Array {
  const { c, d, means } = p;
  const out = new Float64Array(n * c);
  const centred = new Float64Array(d);
  for (let k = 0; k < c; k++) {
    const l = factors[k]!;
    const prec = lowerInverse(l, d);
    let halfLogDet = 0;
    for (let j = 0; j < d; j++) halfLogDet += Math.log(l[j * d + j]!);
    // a weight of 0 gives -Infinity here, which the log-sum-exp below treats as an absent component
    const constant = Math.log(p.weights[k]!) - 0.5 * d * LOG_2PI - halfLogDet;
    const mo = k * d;
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      for (let j = 0; j < d; j++) centred[j] = x[xo + j]! - means[mo + j]!;
      let quad = 0;
      for (let j = 0; j < d; j++) {
        const po = j * d;
        let y = 0;
        for (let m = 0; m <= j; m++) y += prec[po + m]! * centred[m]!;
        quad += y * y;
      }
      out[i * c + k] = constant - 0.5 * quad;
    }
  }
  return out;
}

/**
 * Log-sum-exp over each row of the [n, C] log densities: returns log p(x_i) per point and overwrites the
 * rows with the responsibilities p(k | x_i), which sum to 1. One exp per entry: exp(v - max) is kept and
 * divided by its row sum. A row with no finite entry (every component infinitely unlikely) has log
 * density -Infinity and uniform responsibilities rather than NaN.
 */
export function toResponsibilities(logp: Float64Array, n: number, c: number): Float64Array {
  const logDensity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let max = -Infinity;
    for (let k = 0; k < c; k++) max = Math.max(max, logp[o + k]!);
    if (max === -Infinity) {
      logDensity[i] = -Infinity;
      for (let k = 0; k < c; k++) logp[o + k] = 1 / c;
      continue;
    }
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const e = Math.exp(logp[o + k]! - max);
      logp[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < c; k++) logp[o + k]! /= sum;
    logDensity[i] = max + Math.log(sum);
  }
  return logDensity;
}
