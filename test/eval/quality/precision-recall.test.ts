import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/data/batches.js';
import { precisionRecall } from '../../../src/eval/quality/precision-recall.js';
import { precisionRecallGram } from '../../../src/eval/quality/precision-recall-gram.js';
import { bruteForce, cloud } from './brute-force.js';

describe('precisionRecall', () => {
  it('agrees exactly with a brute-force computation on random sets', () => {
    const d = 5;
    // sizes that are not multiples of the 4-point tile or the 64-point block
    const nReal = 203;
    const nFake = 157;
    const real = cloud(nReal, d, [[0, 0, 0, 0, 0]], 1, 1);
    const fake = cloud(nFake, d, [[0.8, 0, 0, -0.5, 0]], 1.3, 2);
    for (const k of [1, 3, 5]) {
      const got = precisionRecall(real, fake, nReal, nFake, d, k);
      expect(got).toEqual(bruteForce(real, fake, nReal, nFake, d, k));
      // the JavaScript kernel of backends whose products are not IEEE ones (these tests select no backend)
      expect(precisionRecallGram(real, fake, nReal, nFake, d, k)).toEqual(got);
      expect(got.precision).toBeGreaterThan(0);
      expect(got.recall).toBeLessThan(1);
    }
  });

  it('agrees exactly when distances tie with radii, far from the origin', () => {
    // integer coordinates in 0..2 around 1000: many distances equal a radius exactly, and the Gram estimate's
    // error (norms near 5e6) is large enough that only the direct sums decide
    const d = 4;
    const grid = (n: number, seed: number) => {
      const rng = createRng(seed);
      return Float32Array.from({ length: n * d }, () => 1000 + Math.floor(3 * rng()));
    };
    const real = grid(150, 3);
    const fake = grid(130, 4);
    const got = precisionRecall(real, fake, 150, 130, d);
    expect(got).toEqual(bruteForce(real, fake, 150, 130, d, 3));
    expect(precisionRecallGram(real, fake, 150, 130, d, 3)).toEqual(got);
    const shifted = Float32Array.from(fake, (v, i) => (i % d === 0 ? v + 1.5 : v));
    expect(precisionRecall(real, shifted, 150, 130, d)).toEqual(bruteForce(real, shifted, 150, 130, d, 3));
  });

  it('gives 1 and 1 for identical sets', () => {
    const real = cloud(300, 8, [[0, 0, 0, 0, 0, 0, 0, 0]], 1, 5);
    expect(precisionRecall(real, Float32Array.from(real), 300, 300, 8)).toEqual({ precision: 1, recall: 1 });
  });

  it('gives 0 and 0 for clusters far apart', () => {
    const d = 3;
    const real = cloud(100, d, [[0, 0, 0]], 1, 6);
    const fake = cloud(120, d, [[100, 0, 0]], 1, 7);
    expect(precisionRecall(real, fake, 100, 120, d)).toEqual({ precision: 0, recall: 0 });
  });

  it('gives precision near 1 and recall near 1/2 when the fakes cover half the real modes', () => {
    // in 2 dims the k = 3 balls of 500 points a mode cover a fresh draw from that mode almost entirely
    const d = 2;
    const modes = [0, 1, 2, 3].map((m) => [20 * m, 20 * (m % 2)]);
    const real = cloud(2000, d, modes, 1, 8);
    const fake = cloud(1000, d, modes.slice(0, 2), 1, 9);
    const { precision, recall } = precisionRecall(real, fake, 2000, 1000, d);
    expect(precision).toBeGreaterThan(0.95);
    expect(recall).toBeGreaterThan(0.45);
    expect(recall).toBeLessThanOrEqual(0.5); // the two uncovered modes hold exactly half the real points
  });

  it('refuses sizes that do not match, a bad k, and too few points for k', () => {
    const x = new Float32Array(20);
    expect(() => precisionRecall(x, x, 10, 9, 2)).toThrow(/9 x 2 fake/);
    expect(() => precisionRecall(x, x, 10, 10, 2, 0)).toThrow(/positive integer/);
    expect(() => precisionRecall(x, x, 10, 10, 2, 10)).toThrow(/more than 10/);
    expect(() => precisionRecall(Float32Array.of(NaN, 0, 0, 0, 0, 0, 0, 0), new Float32Array(8), 4, 4, 2)).toThrow(/NaN/);
  });
});
