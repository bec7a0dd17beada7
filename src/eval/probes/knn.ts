import { type LabelledSet, checkCount, checkLabelledSet } from './labelled-set.js';

/**
 * k-nearest-neighbour accuracy: each test point takes the majority label of its k nearest training points
 * (squared Euclidean distance in float64). It measures what a latent space knows locally, without assuming
 * the classes are linearly separable. Neighbours are ordered by (distance, training index); a tied vote goes
 * to the tied class of the nearest neighbour. Memory stays O(block x k): distances are never stored as a
 * test x train matrix.
 */

const BLOCK = 64; // queries sharing one pass over the training set, so each training row is read once per block

export function knnAccuracy(train: LabelledSet, test: LabelledSet, d: number, k = 5): number {
  checkCount(d, 1, 'd');
  checkCount(k, 1, 'k');
  const classes = 1 + Math.max(maxLabel(train.labels), maxLabel(test.labels));
  checkLabelledSet(train, d, classes, 'train');
  checkLabelledSet(test, d, classes, 'test');
  if (k > train.n) throw new RangeError(`expected k <= train.n = ${train.n}, found ${k}`);

  const { labels, n } = train;
  // float64 copies: the inner loop then reads doubles without converting; the values are the same
  const x = Float64Array.from(train.x);
  const q = Float64Array.from(test.x);
  const bestD = new Float64Array(BLOCK * k);
  const bestI = new Int32Array(BLOCK * k);
  const votes = new Int32Array(classes);
  let correct = 0;
  for (let q0 = 0; q0 < test.n; q0 += BLOCK) {
    const rows = Math.min(BLOCK, test.n - q0);
    bestD.fill(Infinity);
    bestI.fill(-1);
    for (let i = 0; i < n; i++) {
      const xi = i * d;
      for (let r = 0; r < rows; r++) {
        const qr = (q0 + r) * d;
        const base = r * k;
        const worst = bestD[base + k - 1]!;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const t = x[xi + j]! - q[qr + j]!;
          s += t * t;
          // partial sums only grow: most candidates are out of the running after a few coordinates
          if ((j & 3) === 3 && s >= worst) break;
        }
        // strictly closer only: an equal distance keeps the earlier training index ahead
        if (s < worst) insert(bestD, bestI, base, k, s, i);
      }
    }
    for (let r = 0; r < rows; r++) {
      if (vote(bestI, r * k, k, labels, votes) === test.labels[q0 + r]) correct++;
    }
  }
  return correct / test.n;
}

/** Puts (s, i) into the sorted list at base, after any entry at the same distance, dropping the last. */
function insert(bestD: Float64Array, bestI: Int32Array, base: number, k: number, s: number, i: number): void {
  let p = base + k - 1;
  while (p > base && bestD[p - 1]! > s) {
    bestD[p] = bestD[p - 1]!;
    bestI[p] = bestI[p - 1]!;
    p--;
  }
  bestD[p] = s;
  bestI[p] = i;
}

/** The majority label of the neighbours at base; among tied labels, the one the nearest of them carries. */
function vote(bestI: Int32Array, base: number, k: number, labels: ArrayLike<number>, votes: Int32Array): number {
  votes.fill(0);
  let top = 0;
  for (let p = base; p < base + k; p++) top = Math.max(top, ++votes[labels[bestI[p]!]!]!);
  for (let p = base; ; p++) {
    const label = labels[bestI[p]!]!;
    if (votes[label] === top) return label;
  }
}

function maxLabel(labels: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < labels.length; i++) m = Math.max(m, labels[i]!);
  return m;
}
