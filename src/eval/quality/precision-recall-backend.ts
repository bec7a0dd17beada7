import * as tf from '@tensorflow/tfjs';
import { blockRows, errorBound, nearestOnBackend, type Centred } from '../probes/nearest.js';
import { exactSq } from '../probes/nearest-scan.js';

/**
 * Precision and recall (precision-recall.ts) with the distance products on a backend whose float32
 * matMul is IEEE (activeBackend().ieeeFloat32MatMul()). Radii come from the exact neighbour search of
 * nearest.ts. Membership needs, for each point, the least of est(x, y) - radius(y) over the other set; one
 * product per block gives 2 x.y - c_x - c_y with c = |.|^2 - radius, whose maxima along its rows and columns
 * are those least values for both sets at once. A point whose value is within its error bound of 0 is
 * decided by exact distances, so the result equals a brute-force computation exactly, ties included.
 */
export function precisionRecallOnBackend(real: Centred, fake: Centred, k: number, slackScale = 1): { precision: number; recall: number; fallbacks: number } {
  const realBalls = balls(real, k, slackScale);
  const fakeBalls = balls(fake, k, slackScale);
  const best = bestScores(real, realBalls.c, fake, fakeBalls.c);
  const precision = inside(fake, fakeBalls, best.cols, real, realBalls, slackScale);
  const recall = inside(real, realBalls, best.rows, fake, fakeBalls, slackScale);
  return { precision: precision.share, recall: recall.share, fallbacks: realBalls.fallbacks + fakeBalls.fallbacks + precision.fallbacks + recall.fallbacks };
}

/** A set's balls: exact radii, the offsets c = fl32(|x|^2 - radius) the product sees, and rows rescanned. */
interface Balls {
  radius: Float64Array;
  maxRadius: number;
  c: Float32Array;
  fallbacks: number;
}

function balls(s: Centred, k: number, slackScale: number): Balls {
  // a point's own distance, 0, is the least of its row: the k-th of the others is the (k + 1)-th of all
  const near = nearestOnBackend(s, s, { k: k + 1, kthOnly: true, slackScale });
  const radius = Float64Array.from({ length: s.n }, (_, i) => near.dist[i * (k + 1) + k]!);
  return { radius, maxRadius: radius.reduce((m, r) => Math.max(m, r), 0), c: Float32Array.from(s.norms, (v, i) => v - radius[i]!), fallbacks: near.fallbacks };
}

/**
 * The share of x's points inside some ball of the other set, given best[i] = max over y of 2 x_i.y - c_y - c_i.
 * |x_i|^2 - best[i] - c_i is then the least est(x_i, y) - radius(y); its error is bounded by errorBound of the
 * pair's term sum 2 |x|^2 + 2 |y|^2 + radius(x) + radius(y), with |y|^2 at most the other set's largest norm
 * or, for the pairs that can decide (|x - y|^2 within radius(y) plus the error), 2 |x|^2 + 2 radius(y) plus
 * twice the error: hence 6 |x|^2 + 8 max radius(y), the 8 absorbing the error's own share with room.
 */
function inside(x: Centred, xBalls: Balls, best: Float32Array, other: Centred, otherBalls: Balls, slackScale: number): { share: number; fallbacks: number } {
  let count = 0;
  let fallbacks = 0;
  for (let i = 0; i < x.n; i++) {
    const n = x.norms[i]!;
    const gap = n - (best[i]! + xBalls.c[i]!);
    const pairs = Math.min(2 * n + 2 * other.maxNorm + otherBalls.maxRadius, 6 * n + 8 * otherBalls.maxRadius);
    const slack = slackScale * errorBound(x.d, xBalls.radius[i]! + pairs);
    if (Math.abs(gap) <= slack) fallbacks++;
    if (gap < -slack || (gap <= slack && inBalls(x, i, other, otherBalls.radius))) count++;
  }
  return { share: count / x.n, fallbacks };
}

/**
 * For each real row, max over fake points of 2 r.f - c_r - c_f, and for each fake column the max over real
 * points: a [rows, d + 2] x [d + 2, nFake] product per block of real rows, (2 r, -c_r, -1) . (f, 1, c_f).
 */
function bestScores(real: Centred, realC: Float32Array, fake: Centred, fakeC: Float32Array): { rows: Float32Array; cols: Float32Array } {
  const d = real.d;
  const w = d + 2;
  const colData = new Float32Array(w * fake.n);
  for (let j = 0; j < fake.n; j++) {
    for (let t = 0; t < d; t++) colData[t * fake.n + j] = fake.x[j * d + t]!;
    colData[d * fake.n + j] = 1;
    colData[(d + 1) * fake.n + j] = fakeC[j]!;
  }
  const rowsOut = new Float32Array(real.n);
  const colsOut = new Float32Array(fake.n).fill(-Infinity);
  const cols = tf.tensor2d(colData, [w, fake.n]);
  try {
    const block = blockRows(fake.n);
    for (let i0 = 0; i0 < real.n; i0 += block) {
      const rows = Math.min(block, real.n - i0);
      const rowData = new Float32Array(rows * w);
      for (let a = 0; a < rows; a++) {
        for (let t = 0; t < d; t++) rowData[a * w + t] = 2 * real.x[(i0 + a) * d + t]!;
        rowData[a * w + d] = -realC[i0 + a]!;
        rowData[a * w + d + 1] = -1;
      }
      const [rowMax, colMax] = tf.tidy(() => {
        const scores = tf.matMul(tf.tensor2d(rowData, [rows, w]), cols);
        // down the columns as a pooling with the fake points as channels: wasm's max over axis 0 transposes first, 8x slower
        return [tf.max(scores, 1), tf.maxPool(scores.reshape([1, rows, 1, fake.n]) as tf.Tensor4D, [rows, 1], [rows, 1], 'valid')];
      });
      rowsOut.set(rowMax!.dataSync(), i0);
      const blockCols = colMax!.dataSync();
      for (let j = 0; j < fake.n; j++) colsOut[j] = Math.max(colsOut[j]!, blockCols[j]!);
      tf.dispose([rowMax!, colMax!]);
    }
  } finally {
    cols.dispose();
  }
  return { rows: rowsOut, cols: colsOut };
}

/** Whether point i of x lies in some ball of the other set: an exact distance at most that ball's radius. */
function inBalls(x: Centred, i: number, other: Centred, radius: Float64Array): boolean {
  for (let j = 0; j < other.n; j++) if (exactSq(x.raw, i, other.raw, j, x.d) <= radius[j]!) return true;
  return false;
}
