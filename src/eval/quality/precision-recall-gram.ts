import { exactSq } from '../probes/nearest-scan.js';

/**
 * Precision and recall (precision-recall.ts) in float64 JavaScript, for backends whose float32 products
 * are not IEEE ones. Distances are squared Euclidean. Most are computed as ||x||^2 + ||y||^2 - 2 x.y over
 * blocks of a Gram matrix, which runs several times faster than differencing; every comparison that this
 * rounding could flip is redone with the direct sum of squared differences, so the result equals a
 * brute-force computation exactly, ties included.
 */

const BLOCK = 64; // points per side of a Gram block: two 64 x 128 float64 blocks fit in L2
const ROWS = 4; // the micro-kernel's tile is ROWS x 2, so point sets are padded to a multiple of ROWS

/** Feature vectors as float64 rows padded with zero rows, with squared norms. */
interface PointSet {
  x: Float64Array;
  norms: Float64Array;
  n: number;
  padded: number;
  maxNorm: number;
}

/** Arguments as precisionRecall checked them. Time is O((nReal + nFake)^2 d), memory O((nReal + nFake) (d + k)). */
export function precisionRecallGram(real: Float32Array, fake: Float32Array, nReal: number, nFake: number, d: number, k: number): { precision: number; recall: number } {
  const slackPerNorm = (4 * d + 16) * 2 ** -52;
  const r = pointSet(real, nReal, d);
  const f = pointSet(fake, nFake, d);
  const realRadius = kthNeighbourRadii(r, d, k, slackPerNorm);
  const fakeRadius = kthNeighbourRadii(f, d, k, slackPerNorm);

  const realIn = new Uint8Array(nReal);
  const fakeIn = new Uint8Array(nFake);
  const g = new Float64Array(BLOCK * BLOCK);
  for (let i0 = 0; i0 < r.padded; i0 += BLOCK) {
    const rows = Math.min(BLOCK, r.padded - i0);
    for (let j0 = 0; j0 < f.padded; j0 += BLOCK) {
      const cols = Math.min(BLOCK, f.padded - j0);
      // once every point of both blocks is known to be inside, their distances can change nothing
      if (allSet(realIn, i0, i0 + rows) && allSet(fakeIn, j0, j0 + cols)) continue;
      gramBlock(r.x, i0, rows, f.x, j0, cols, d, g);
      for (let a = 0; a < rows && i0 + a < nReal; a++) {
        const i = i0 + a;
        const ni = r.norms[i]!;
        for (let b = 0; b < cols && j0 + b < nFake; b++) {
          const j = j0 + b;
          const realDone = realIn[i] === 1;
          if (realDone && fakeIn[j] === 1) continue;
          const nj = f.norms[j]!;
          const dist = ni + nj - 2 * g[a * BLOCK + b]!;
          const slack = slackPerNorm * (ni + nj);
          if (fakeIn[j] === 0 && inBall(dist, slack, realRadius[i]!, r.x, i, f.x, j, d)) fakeIn[j] = 1;
          if (!realDone && inBall(dist, slack, fakeRadius[j]!, r.x, i, f.x, j, d)) realIn[i] = 1;
        }
      }
    }
  }
  return { precision: count(fakeIn) / nFake, recall: count(realIn) / nReal };
}

/**
 * Whether the exact squared distance is within radius, given its Gram estimate and a bound on the
 * estimate's error: only a distance within slack of the radius pays for the direct sum.
 */
function inBall(dist: number, slack: number, radius: number, x: Float64Array, i: number, y: Float64Array, j: number, d: number): boolean {
  if (dist + slack <= radius) return true;
  if (dist - slack > radius) return false;
  return exactSq(x, i, y, j, d) <= radius;
}

/**
 * The exact squared distance from each point to its k-th nearest other point in the same set. One pass over
 * the upper triangle of the Gram matrix keeps, per point, the estimates that can still be among its k
 * nearest once estimation error is allowed for (the k smallest, and any within twice the worst error of the
 * k-th); the direct sums over these candidates then give the exact k-th distance.
 */
function kthNeighbourRadii(s: PointSet, d: number, k: number, slackPerNorm: number): Float64Array {
  const { n, norms } = s;
  const limit = new Float64Array(n).fill(Infinity);
  const margin = Float64Array.from(norms.subarray(0, n), (v) => 2 * slackPerNorm * (v + s.maxNorm));
  const near = Array.from({ length: n }, () => ({ dist: [] as number[], id: [] as number[] }));
  const offer = (i: number, j: number, dist: number): void => {
    const { dist: ds, id } = near[i]!;
    let at = ds.length;
    while (at > 0 && ds[at - 1]! > dist) at--;
    ds.splice(at, 0, dist);
    id.splice(at, 0, j);
    if (ds.length < k) return;
    limit[i] = ds[k - 1]! + margin[i]!;
    let end = ds.length;
    while (end > k && ds[end - 1]! > limit[i]!) end--;
    ds.length = end;
    id.length = end;
  };
  const g = new Float64Array(BLOCK * BLOCK);
  for (let i0 = 0; i0 < s.padded; i0 += BLOCK) {
    const rows = Math.min(BLOCK, s.padded - i0);
    for (let j0 = i0; j0 < s.padded; j0 += BLOCK) {
      const cols = Math.min(BLOCK, s.padded - j0);
      gramBlock(s.x, i0, rows, s.x, j0, cols, d, g);
      for (let a = 0; a < rows && i0 + a < n; a++) {
        const i = i0 + a;
        const ni = norms[i]!;
        for (let b = j0 === i0 ? a + 1 : 0; b < cols && j0 + b < n; b++) {
          const j = j0 + b;
          const dist = ni + norms[j]! - 2 * g[a * BLOCK + b]!;
          if (dist <= limit[i]!) offer(i, j, dist);
          if (dist <= limit[j]!) offer(j, i, dist);
        }
      }
    }
  }
  return Float64Array.from(near, ({ id }, i) => {
    const exact = Float64Array.from(id, (j) => exactSq(s.x, i, s.x, j, d)).sort();
    return exact[k - 1]!;
  });
}

/** g[a * BLOCK + b] = x_{i0+a} . y_{j0+b}; rows and cols are multiples of ROWS (the sets are padded). */
function gramBlock(x: Float64Array, i0: number, rows: number, y: Float64Array, j0: number, cols: number, d: number, g: Float64Array): void {
  for (let a = 0; a < rows; a += ROWS) {
    const x0 = (i0 + a) * d;
    const x1 = x0 + d;
    const x2 = x1 + d;
    const x3 = x2 + d;
    for (let b = 0; b < cols; b += 2) {
      const y0 = (j0 + b) * d;
      const y1 = y0 + d;
      // a 4 x 2 tile of dot products: eight sums in registers reuse each loaded value two or four times
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;
      for (let t = 0; t < d; t++) {
        const v0 = y[y0 + t]!;
        const v1 = y[y1 + t]!;
        const u0 = x[x0 + t]!;
        c00 += u0 * v0;
        c01 += u0 * v1;
        const u1 = x[x1 + t]!;
        c10 += u1 * v0;
        c11 += u1 * v1;
        const u2 = x[x2 + t]!;
        c20 += u2 * v0;
        c21 += u2 * v1;
        const u3 = x[x3 + t]!;
        c30 += u3 * v0;
        c31 += u3 * v1;
      }
      const o = a * BLOCK + b;
      g[o] = c00;
      g[o + 1] = c01;
      g[o + BLOCK] = c10;
      g[o + BLOCK + 1] = c11;
      g[o + 2 * BLOCK] = c20;
      g[o + 2 * BLOCK + 1] = c21;
      g[o + 3 * BLOCK] = c30;
      g[o + 3 * BLOCK + 1] = c31;
    }
  }
}

function pointSet(v: Float32Array, n: number, d: number): PointSet {
  const padded = Math.ceil(n / ROWS) * ROWS;
  const x = new Float64Array(padded * d);
  x.set(v);
  const norms = new Float64Array(padded);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let t = 0; t < d; t++) sum += x[i * d + t]! ** 2;
    norms[i] = sum;
  }
  return { x, norms, n, padded, maxNorm: norms.reduce((m, v) => Math.max(m, v), 0) };
}

/** Whether every flag in [from, to) is set; indices past the end (padding) count as set. */
function allSet(flags: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < Math.min(to, flags.length); i++) if (flags[i] === 0) return false;
  return true;
}

function count(flags: Uint8Array): number {
  let sum = 0;
  for (const f of flags) sum += f;
  return sum;
}
