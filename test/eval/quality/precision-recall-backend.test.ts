import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/select.js';
import { createRng } from '../../../src/data/batches.js';
import { centre, meanOf } from '../../../src/eval/probes/nearest.js';
import { precisionRecall } from '../../../src/eval/quality/precision-recall.js';
import { precisionRecallOnBackend } from '../../../src/eval/quality/precision-recall-backend.js';
import { precisionRecallGram } from '../../../src/eval/quality/precision-recall-gram.js';
import { bruteForce, cloud, normals } from './brute-force.js';

// VAELAB_SKIP_NATIVE=1 marks a machine without the addon's libraries (test/backend/native.test.ts)
const BACKENDS: ('cpu' | 'wasm' | 'native')[] = ['cpu', 'wasm', ...(process.env.VAELAB_SKIP_NATIVE === '1' ? [] : ['native' as const])];

/** precisionRecallOnBackend on the two sets, centred as precisionRecall centres them; checks no tensor is left. */
function onBackend(real: Float32Array, fake: Float32Array, d: number, k: number, slackScale = 1) {
  const mean = meanOf([real, fake], d);
  const before = tf.memory().numTensors;
  const got = precisionRecallOnBackend(centre(real, real.length / d, d, mean), centre(fake, fake.length / d, d, mean), k, slackScale);
  expect(tf.memory().numTensors).toBe(before);
  return got;
}

/** Checks the public function, the backend path and the JavaScript kernel against brute force; returns the backend path's rescans. */
function expectExact(real: Float32Array, fake: Float32Array, d: number, k: number): number {
  const [nReal, nFake] = [real.length / d, fake.length / d];
  const want = bruteForce(real, fake, nReal, nFake, d, k);
  expect(precisionRecall(real, fake, nReal, nFake, d, k)).toEqual(want);
  expect(precisionRecallGram(real, fake, nReal, nFake, d, k)).toEqual(want);
  const { precision, recall, fallbacks } = onBackend(real, fake, d, k);
  expect({ precision, recall }).toEqual(want);
  return fallbacks;
}

describe.each(BACKENDS)('precision and recall with products on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });
  afterAll(async () => {
    await selectBackend('cpu');
  });

  it.each([
    { d: 1, k: 1 },
    { d: 2, k: 3 },
    { d: 10, k: 5 },
    { d: 64, k: 3 },
  ])('equal brute force on random sets (d $d, k $k)', ({ d, k }) => {
    const real = cloud(203, d, [new Array(d).fill(0)], 1, d + k);
    const fake = cloud(157, d, [Array.from({ length: d }, (_, t) => (t === 0 ? 0.8 : 0))], 1.3, d + k + 1);
    // the products decided almost every radius and membership: the path is not a scan in disguise
    expect(expectExact(real, fake, d, k)).toBeLessThan(20);
  });

  it('equal brute force with duplicated points and distances tied with radii', () => {
    // integer coordinates around 1000: many distances equal a radius, and every real point appears twice
    const d = 4;
    const rng = createRng(3);
    const grid = (n: number) => Float32Array.from({ length: n * d }, () => 1000 + Math.floor(3 * rng()));
    const half = grid(75);
    const real = Float32Array.from({ length: 150 * d }, (_, i) => half[i % half.length]!);
    const fake = grid(130);
    for (const k of [1, 3, 4]) expectExact(real, fake, d, k);
    expectExact(real, Float32Array.from(fake, (v, i) => (i % d === 0 ? v + 1.5 : v)), d, 3);
  });

  it('equal brute force when a set collapses to one point', () => {
    const d = 8;
    const point = (v: number) => new Float32Array(100 * d).fill(v);
    const spread = cloud(120, d, [new Array(d).fill(0.25)], 0.1, 4);
    expectExact(point(0.25), point(0.25), d, 3); // radii of 0, every point on every ball
    expectExact(point(0.25), point(0.5), d, 3);
    expectExact(point(0.25), spread, d, 3);
    expectExact(spread, point(0.25), d, 3);
  });

  it('goes wrong on near ties without the error bound, and stays exact with it', () => {
    // a ring of points around the origin, the fakes a jittered copy, and a cluster at (200, 200) that
    // moves the mean away: float32 estimates then err by more than the radii (about 1e-3), so only the
    // error bound sends the decisions to exact distances
    const z = normals(9);
    const ring = Array.from({ length: 224 }, (_, j) => [Math.cos(j), Math.sin(j)]);
    const cluster = Array.from({ length: 320 }, () => [200 + z(), 200 + z()]);
    const real = Float32Array.from([...ring, ...cluster].flat());
    const fake = Float32Array.from(real, (v) => v + 0.02 * z());
    const want = bruteForce(real, fake, 544, 544, 2, 1);
    const loose = onBackend(real, fake, 2, 1, 0);
    expect({ precision: loose.precision, recall: loose.recall }).not.toEqual(want);
    const exact = onBackend(real, fake, 2, 1);
    expect({ precision: exact.precision, recall: exact.recall }).toEqual(want);
    expect(exact.fallbacks).toBeGreaterThan(100);
  });
});
