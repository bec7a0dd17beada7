import { activeBackend } from '../../backend/active.js';
import { type LabelledSet, checkCount, checkLabelledSet } from './labelled-set.js';
import { centre, fits, meanOf, nearestOnBackend } from './nearest.js';
import { scanNearest } from './nearest-scan.js';

/**
 * k-nearest-neighbour accuracy: each test point takes the majority label of its k nearest training points
 * (squared Euclidean distance in float64). It measures what a latent space knows locally, without assuming
 * the classes are linearly separable. Neighbours are ordered by (distance, training index); a tied vote goes
 * to the tied class of the nearest neighbour. Memory stays O(test x k + training set): distances are never
 * stored as a test x train matrix.
 *
 * Where the backend's float32 products are IEEE ones, they pick the candidates (nearest.ts) and the exact
 * distances decide; elsewhere every pair is scanned. Both give the scan's neighbours, ties included.
 */
export function knnAccuracy(train: LabelledSet, test: LabelledSet, d: number, k = 5): number {
  checkCount(d, 1, 'd');
  checkCount(k, 1, 'k');
  const classes = 1 + Math.max(maxLabel(train.labels), maxLabel(test.labels));
  checkLabelledSet(train, d, classes, 'train');
  checkLabelledSet(test, d, classes, 'test');
  if (k > train.n) throw new RangeError(`expected k <= train.n = ${train.n}, found ${k}`);

  const neighbours = nearestNeighbours(train, test, d, k);
  const votes = new Int32Array(classes);
  let correct = 0;
  for (let q = 0; q < test.n; q++) {
    if (vote(neighbours, q * k, k, train.labels, votes) === test.labels[q]) correct++;
  }
  return correct / test.n;
}

/** [test.n, k] training indices, each row ordered by (distance, index). */
function nearestNeighbours(train: LabelledSet, test: LabelledSet, d: number, k: number): Int32Array {
  if (activeBackend().ieeeFloat32MatMul()) {
    const mean = meanOf([train.x], d);
    const ref = centre(train.x, train.n, d, mean);
    const query = centre(test.x, test.n, d, mean);
    if (fits(ref, query)) return nearestOnBackend(ref, query, { k, kthOnly: false }).index;
  }
  return scanNearest(train.x, train.n, test.x, test.n, d, k).index;
}

/** The majority label of the neighbours at base; among tied labels, the one the nearest of them carries. */
function vote(index: Int32Array, base: number, k: number, labels: ArrayLike<number>, votes: Int32Array): number {
  votes.fill(0);
  let top = 0;
  for (let p = base; p < base + k; p++) top = Math.max(top, ++votes[labels[index[p]!]!]!);
  for (let p = base; ; p++) {
    const label = labels[index[p]!]!;
    if (votes[label] === top) return label;
  }
}

function maxLabel(labels: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < labels.length; i++) m = Math.max(m, labels[i]!);
  return m;
}
