/**
 * Exact k nearest neighbours by scanning every reference point: the definition the faster search in
 * nearest.ts must reproduce, and its fallback. A distance is the squared Euclidean one as the float64 sum of
 * (x_t - y_t)^2 in order t = 0..d-1; neighbours are ordered by (distance, reference index).
 */

const BLOCK = 64; // queries sharing one pass over the reference set, so each reference row is read once per block

/** The k nearest of each query, row-major [m, k]: distances ascending, ties in reference index order. */
export interface Neighbours {
  dist: Float64Array;
  index: Int32Array;
}

/** The squared distance as sum (x_t - y_t)^2 in float64, in order: the value that defines "exact" here. */
export function exactSq(x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number, d: number): number {
  let sum = 0;
  for (let t = 0; t < d; t++) {
    const diff = x[i * d + t]! - y[j * d + t]!;
    sum += diff * diff;
  }
  return sum;
}

/** The k nearest of m queries among n reference points (both row-major with d columns); k <= n. O(n m d). */
export function scanNearest(ref: Float32Array, n: number, query: Float32Array, m: number, d: number, k: number): Neighbours {
  // float64 copies: the inner loop then reads doubles without converting; the values are the same
  const x = Float64Array.from(ref);
  const q = Float64Array.from(query);
  const dist = new Float64Array(m * k).fill(Infinity);
  const index = new Int32Array(m * k).fill(-1);
  for (let q0 = 0; q0 < m; q0 += BLOCK) {
    const rows = Math.min(BLOCK, m - q0);
    for (let i = 0; i < n; i++) {
      const xi = i * d;
      for (let r = 0; r < rows; r++) {
        const qr = (q0 + r) * d;
        const base = (q0 + r) * k;
        const worst = dist[base + k - 1]!;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const t = x[xi + j]! - q[qr + j]!;
          s += t * t;
          // partial sums only grow: most candidates are out of the running after a few coordinates
          if ((j & 3) === 3 && s >= worst) break;
        }
        // strictly closer only: the scan runs in index order, so an equal distance keeps the earlier index ahead
        if (s < worst) offer(dist, index, base, k, s, i);
      }
    }
  }
  return { dist, index };
}

/**
 * Puts (s, i) into the list of k at base, ordered by (distance, index), dropping the last; a pair that
 * orders after the last changes nothing. Empty places hold (Infinity, -1).
 */
export function offer(dist: Float64Array, index: Int32Array, base: number, k: number, s: number, i: number): void {
  const last = base + k - 1;
  if (s > dist[last]! || (s === dist[last]! && i > index[last]!)) return;
  let p = last;
  while (p > base && (dist[p - 1]! > s || (dist[p - 1]! === s && index[p - 1]! > i))) {
    dist[p] = dist[p - 1]!;
    index[p] = index[p - 1]!;
    p--;
  }
  dist[p] = s;
  index[p] = i;
}
