/**
 * Eigendecomposition of a small symmetric matrix by the cyclic Jacobi method. Chosen over power
 * iteration because it is deterministic and exact to rounding even when eigenvalues are equal or
 * close (power iteration then converges slowly or to an arbitrary mix), and at the sizes used here
 * (latent covariances, dim <= ~64; O(dim^3) a sweep, about ten sweeps) it costs well under a millisecond.
 */

export interface SymmetricEigen {
  values: Float64Array; // descending
  vectors: Float64Array[]; // vectors[k] is the unit eigenvector of values[k]
}

const MAX_SWEEPS = 100; // Jacobi converges quadratically; 100 sweeps is never reached in practice

/** `a` is row-major dim x dim and symmetric; it is not modified. */
export function symmetricEigen(a: Float64Array, dim: number): SymmetricEigen {
  if (a.length !== dim * dim) throw new RangeError(`symmetricEigen: expected ${dim * dim} entries, got ${a.length}`);
  const m = Float64Array.from(a);
  const v = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1;

  let total = 0;
  for (let k = 0; k < m.length; k++) total += m[k]! * m[k]!;
  // Stop when the off-diagonal mass is below rounding relative to the whole matrix.
  const tolerance = total * 1e-30;

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < dim; p++) for (let q = p + 1; q < dim; q++) off += m[p * dim + q]! ** 2;
    if (off <= tolerance) break;
    for (let p = 0; p < dim; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = m[p * dim + q]!;
        if (apq === 0) continue;
        // Rotation angle phi with cot(2 phi) = theta zeroes m[p][q]; t = tan(phi), the smaller root,
        // keeps |phi| <= pi/4 so the rotation is stable.
        const theta = (m[q * dim + q]! - m[p * dim + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < dim; k++) {
          // columns p and q of m <- m J
          const mkp = m[k * dim + p]!;
          const mkq = m[k * dim + q]!;
          m[k * dim + p] = c * mkp - s * mkq;
          m[k * dim + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < dim; k++) {
          // rows p and q of m <- Jᵀ m
          const mpk = m[p * dim + k]!;
          const mqk = m[q * dim + k]!;
          m[p * dim + k] = c * mpk - s * mqk;
          m[q * dim + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < dim; k++) {
          // accumulate the eigenvectors as the columns of v <- v J
          const vkp = v[k * dim + p]!;
          const vkq = v[k * dim + q]!;
          v[k * dim + p] = c * vkp - s * vkq;
          v[k * dim + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  // Sort descending; ties keep index order so the result is deterministic.
  const order = Array.from({ length: dim }, (_, i) => i).sort((i, j) => m[j * dim + j]! - m[i * dim + i]! || i - j);
  const values = Float64Array.from(order, (i) => m[i * dim + i]!);
  const vectors = order.map((i) => Float64Array.from({ length: dim }, (_, k) => v[k * dim + i]!));
  return { values, vectors };
}

/**
 * Eigenvectors are defined up to sign; flip so the largest-magnitude entry is positive (the first
 * such entry on ties), which keeps PCA plots from mirroring between runs and libraries.
 */
export function fixSign(vector: Float64Array): Float64Array {
  let best = 0;
  for (let k = 1; k < vector.length; k++) if (Math.abs(vector[k]!) > Math.abs(vector[best]!)) best = k;
  if ((vector[best] ?? 0) < 0) for (let k = 0; k < vector.length; k++) vector[k] = -vector[k]!;
  return vector;
}
