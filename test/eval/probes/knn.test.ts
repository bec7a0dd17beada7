import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/select.js';
import { createRng } from '../../../src/data/batches.js';
import { knnAccuracy } from '../../../src/eval/probes/knn.js';
import type { LabelledSet } from '../../../src/eval/probes/labelled-set.js';
import { blobs } from './blobs.js';

/** Uniform points with uniform labels: nothing to learn, so many votes are close and ties are common. */
function randomSet(n: number, d: number, classes: number, seed: number): LabelledSet {
  const rng = createRng(seed);
  return {
    x: Float32Array.from({ length: n * d }, () => rng()),
    labels: Int32Array.from({ length: n }, () => Math.floor(rng() * classes)),
    n,
  };
}

/** The definition, by sorting every training point: order by (distance, index), ties in the vote to the nearest. */
function bruteForce(train: LabelledSet, test: LabelledSet, d: number, k: number): number {
  let correct = 0;
  for (let q = 0; q < test.n; q++) {
    const dist = Array.from({ length: train.n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (train.x[i * d + j]! - test.x[q * d + j]!) ** 2;
      return { s, i };
    });
    const nearest = dist.sort((a, b) => a.s - b.s || a.i - b.i).slice(0, k).map(({ i }) => train.labels[i]!);
    const votes = new Map<number, number>();
    for (const l of nearest) votes.set(l, (votes.get(l) ?? 0) + 1);
    const top = Math.max(...votes.values());
    if (nearest.find((l) => votes.get(l) === top) === test.labels[q]) correct++;
  }
  return correct / test.n;
}

describe('k-nearest-neighbour accuracy', () => {
  it.each([
    { d: 2, k: 1, classes: 3 },
    { d: 3, k: 4, classes: 3 }, // an even k makes tied votes
    { d: 5, k: 5, classes: 4 },
    { d: 9, k: 7, classes: 10 },
  ])('agrees exactly with brute force (d $d, k $k, $classes classes)', ({ d, k, classes }) => {
    // 150 queries: more than one block of queries, the last one partial
    const train = randomSet(300, d, classes, 10 * d + k);
    const test = randomSet(150, d, classes, 10 * d + k + 1);
    const want = bruteForce(train, test, d, k);
    expect(knnAccuracy(train, test, d, k)).toBe(want);
    // a probe on random labels must not look informative
    expect(want).toBeLessThan(0.6);
  });

  it('agrees with brute force when points are duplicated, so distances tie exactly', () => {
    const base = randomSet(40, 2, 3, 5);
    const x = Float32Array.from({ length: 200 * 2 }, (_, i) => base.x[i % 80]!);
    const train = { x, labels: Int32Array.from({ length: 200 }, (_, i) => (i * 7) % 3), n: 200 };
    const test = randomSet(70, 2, 3, 6);
    for (const k of [1, 2, 3, 6]) expect(knnAccuracy(train, test, 2, k)).toBe(bruteForce(train, test, 2, k));
  });

  it('scores 1 on its own training set with k = 1', () => {
    const train = randomSet(500, 4, 10, 7);
    expect(knnAccuracy(train, train, 4, 1)).toBe(1);
  });

  it('separates well-separated blobs', () => {
    expect(knnAccuracy(blobs(400, 4, 4, 12, 8), blobs(200, 4, 4, 12, 9), 4)).toBe(1);
  });

  it('rejects shapes that disagree with d and k larger than the training set', () => {
    const train = randomSet(10, 2, 2, 1);
    expect(() => knnAccuracy(train, { ...train, x: train.x.subarray(2) }, 2)).toThrow(/expected test\.x to hold 10 x 2 = 20 features, found 18/);
    expect(() => knnAccuracy(train, train, 2, 11)).toThrow(/expected k <= train\.n = 10, found 11/);
    expect(() => knnAccuracy(train, train, 2, 0)).toThrow(RangeError);
  });
});

// VAELAB_SKIP_NATIVE=1 marks a machine without the addon's libraries (test/backend/native.test.ts)
const BACKENDS: ('cpu' | 'wasm' | 'native')[] = ['cpu', 'wasm', ...(process.env.VAELAB_SKIP_NATIVE === '1' ? [] : ['native' as const])];

describe.each(BACKENDS)('k-nearest-neighbour accuracy with products on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });
  afterAll(async () => {
    await selectBackend('cpu');
  });

  /** knnAccuracy, checking that it leaves no tensor behind. */
  const accuracy = (train: LabelledSet, test: LabelledSet, d: number, k: number) => {
    const before = tf.memory().numTensors;
    const got = knnAccuracy(train, test, d, k);
    expect(tf.memory().numTensors).toBe(before);
    return got;
  };

  it.each([
    { d: 1, k: 1 },
    { d: 2, k: 5 },
    { d: 10, k: 4 },
    { d: 64, k: 7 },
  ])('agrees exactly with brute force (d $d, k $k)', ({ d, k }) => {
    const train = randomSet(333, d, 3, 10 * d + k);
    const test = randomSet(150, d, 3, 10 * d + k + 1);
    expect(accuracy(train, test, d, k)).toBe(bruteForce(train, test, d, k));
  });

  it('agrees with brute force when points are duplicated, so distances tie exactly', () => {
    const base = randomSet(40, 2, 3, 5);
    const x = Float32Array.from({ length: 200 * 2 }, (_, i) => base.x[i % 80]!);
    const train = { x, labels: Int32Array.from({ length: 200 }, (_, i) => (i * 7) % 3), n: 200 };
    // 30 queries on training points: distances of 0, five times over
    const fresh = randomSet(70, 2, 3, 6);
    const test = { ...fresh, x: Float32Array.from(fresh.x, (v, i) => (i < 60 ? x[i]! : v)) };
    for (const k of [1, 2, 3, 6]) expect(accuracy(train, test, 2, k)).toBe(bruteForce(train, test, 2, k));
  });

  it('agrees with brute force when every training point is the same (a collapsed latent space)', () => {
    const train = { x: new Float32Array(300 * 3).fill(-1.5), labels: Int32Array.from({ length: 300 }, (_, i) => (i * 5) % 4), n: 300 };
    const test = randomSet(60, 3, 4, 8);
    for (const k of [1, 4, 5]) expect(accuracy(train, test, 3, k)).toBe(bruteForce(train, test, 3, k));
  });

  it('separates well-separated blobs in 64 dimensions', () => {
    expect(accuracy(blobs(600, 64, 10, 12, 8), blobs(200, 64, 10, 12, 9), 64, 5)).toBe(1);
  });
});
