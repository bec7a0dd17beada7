/**
 * t-SNE's input affinities P, sparse, as in scikit-learn's Barnes-Hut path (`_joint_probabilities_nn`):
 * each point keeps only its nearest neighbours, a Gaussian kernel on squared distances whose bandwidth
 * is found by binary search on the perplexity, then P = (P + Pᵀ) / sum. Beyond ~3 x perplexity
 * neighbours the Gaussian weights are negligible, which is what makes P sparse without changing it much.
 */

/** Symmetric joint probabilities in CSR form: row i's entries are col/p[rowStart[i] .. rowStart[i + 1]). */
export interface SparseAffinities {
  rowStart: Int32Array; // n + 1 offsets
  col: Int32Array;
  p: Float64Array; // sums to 1 over all entries
}

const ENTROPY_TOLERANCE = 1e-5; // nats, scikit-learn's perplexity_tol
const SEARCH_STEPS = 100; // bisection steps: enough for any distance scale (beta doubles each step)
const MIN_SUM = 1e-8; // floor on a row's kernel sum, scikit-learn's EPSILON_DBL

/** Neighbours each point keeps: scikit-learn's min(n - 1, floor(3 x perplexity + 1)). */
export function neighbourCount(n: number, perplexity: number): number {
  return Math.min(n - 1, Math.floor(3 * perplexity + 1));
}

/** P for n points of `dim` values (row-major), from each point's `neighbourCount` nearest neighbours. */
export function sparseAffinities(points: Float32Array, n: number, dim: number, perplexity: number): SparseAffinities {
  const k = neighbourCount(n, perplexity);
  const { index, sqDistance } = nearestNeighbours(Float64Array.from(points), n, dim, k);
  const conditional = new Float64Array(n * k);
  for (let i = 0; i < n; i++) calibrateRow(sqDistance.subarray(i * k, (i + 1) * k), perplexity, conditional.subarray(i * k, (i + 1) * k));
  return symmetrise(index, conditional, n, k);
}

/**
 * The k nearest other points of each point, brute force (n² x dim work: ~1 s at 10,000 x 10 here).
 * Each row keeps a max-heap of its k best, so most candidates cost one comparison.
 */
export function nearestNeighbours(x: Float64Array, n: number, dim: number, k: number): { index: Int32Array; sqDistance: Float64Array } {
  const index = new Int32Array(n * k);
  const sqDistance = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const hi = index.subarray(i * k, (i + 1) * k);
    const hd = sqDistance.subarray(i * k, (i + 1) * k);
    let size = 0;
    const xi = i * dim;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      const xj = j * dim;
      for (let a = 0; a < dim; a++) {
        const diff = x[xi + a]! - x[xj + a]!;
        d += diff * diff;
      }
      if (size < k) {
        siftUp(hd, hi, size++, d, j);
      } else if (d < hd[0]!) {
        siftDown(hd, hi, k, d, j);
      }
    }
  }
  return { index, sqDistance };
}

/** Inserts (d, j) at slot `at` of a max-heap and restores the heap order upwards. */
function siftUp(hd: Float64Array, hi: Int32Array, at: number, d: number, j: number): void {
  let c = at;
  while (c > 0) {
    const parent = (c - 1) >> 1;
    if (hd[parent]! >= d) break;
    hd[c] = hd[parent]!;
    hi[c] = hi[parent]!;
    c = parent;
  }
  hd[c] = d;
  hi[c] = j;
}

/** Replaces the largest entry of a full max-heap of `size` with (d, j) and restores the order downwards. */
function siftDown(hd: Float64Array, hi: Int32Array, size: number, d: number, j: number): void {
  let c = 0;
  for (;;) {
    const left = 2 * c + 1;
    if (left >= size) break;
    const right = left + 1;
    const big = right < size && hd[right]! > hd[left]! ? right : left;
    if (hd[big]! <= d) break;
    hd[c] = hd[big]!;
    hi[c] = hi[big]!;
    c = big;
  }
  hd[c] = d;
  hi[c] = j;
}

/**
 * Writes p(j | i) = exp(-beta d_j) / sum into `out`, with beta bisected until the row's entropy is
 * log(perplexity) (scikit-learn's `_binary_search_perplexity`). Distances are shifted by the row's
 * smallest first: that cancels in the normalisation and keeps exp() from underflowing on far-apart data.
 */
export function calibrateRow(d: Float64Array, perplexity: number, out: Float64Array): void {
  const target = Math.log(perplexity);
  let dMin = Infinity;
  for (let j = 0; j < d.length; j++) dMin = Math.min(dMin, d[j]!);
  let beta = 1;
  let lo = -Infinity;
  let hi = Infinity;
  for (let step = 0; step < SEARCH_STEPS; step++) {
    let sum = 0;
    let weighted = 0;
    for (let j = 0; j < d.length; j++) {
      const shifted = d[j]! - dMin;
      const w = Math.exp(-beta * shifted);
      out[j] = w;
      sum += w;
      weighted += shifted * w;
    }
    sum = Math.max(sum, MIN_SUM);
    for (let j = 0; j < d.length; j++) out[j]! /= sum;
    const entropy = Math.log(sum) + (beta * weighted) / sum;
    const gap = entropy - target;
    if (Math.abs(gap) <= ENTROPY_TOLERANCE) break;
    if (gap > 0) {
      lo = beta; // too flat: narrow the kernel
      beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
    }
  }
}

/** (P + Pᵀ) / sum as CSR, from k conditional probabilities per row; a pair both keep becomes one entry. */
function symmetrise(index: Int32Array, conditional: Float64Array, n: number, k: number): SparseAffinities {
  // Row i gets its own k entries plus one for every point that lists i among its neighbours.
  const counts = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) counts[index[e]!]!++;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + k + counts[i]!;
  const fill = start.slice(0, n);
  const cols = new Int32Array(start[n]!);
  const vals = new Float64Array(start[n]!);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let e = i * k; e < (i + 1) * k; e++) {
      const j = index[e]!;
      const v = conditional[e]!;
      total += 2 * v;
      cols[fill[i]!] = j;
      vals[fill[i]!++] = v;
      cols[fill[j]!] = i;
      vals[fill[j]!++] = v;
    }
  }
  // Merge duplicate columns within each row; slotOf[j] is j's output slot in the current row, or -1.
  const slotOf = new Int32Array(n).fill(-1);
  const rowStart = new Int32Array(n + 1);
  const col = new Int32Array(start[n]!);
  const p = new Float64Array(start[n]!);
  let out = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = out;
    for (let e = start[i]!; e < start[i + 1]!; e++) {
      const j = cols[e]!;
      const slot = slotOf[j]!;
      if (slot < 0) {
        slotOf[j] = out;
        col[out] = j;
        p[out++] = vals[e]! / total;
      } else {
        p[slot]! += vals[e]! / total;
      }
    }
    for (let e = rowStart[i]!; e < out; e++) slotOf[col[e]!] = -1;
  }
  rowStart[n] = out;
  return { rowStart, col: col.slice(0, out), p: p.slice(0, out) };
}
