import { describe, expect, it } from 'vitest';
import { lbfgs } from '../../../src/eval/probes/lbfgs.js';
import { linearProbe } from '../../../src/eval/probes/logistic.js';
import { blobs, shuffled } from './blobs.js';

describe('L-BFGS', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const fit = lbfgs(
      (t, g) => {
        const [a, b] = [t[0]!, t[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.of(-1.2, 1),
      { iterations: 500, gradTol: 1e-10, relTol: 0 },
    );
    expect(fit.converged).toBe(true);
    expect(fit.theta[0]).toBeCloseTo(1, 6);
    expect(fit.theta[1]).toBeCloseTo(1, 6);
  });

  it('solves an ill-conditioned quadratic', () => {
    const scale = [1, 10, 100, 1000, 1e4];
    const fit = lbfgs(
      (t, g) => {
        let f = 0;
        t.forEach((v, i) => {
          g[i] = scale[i]! * (v - i);
          f += 0.5 * scale[i]! * (v - i) ** 2;
        });
        return f;
      },
      new Float64Array(5),
      { iterations: 200, gradTol: 1e-9, relTol: 0 },
    );
    expect(fit.converged).toBe(true);
    fit.theta.forEach((v, i) => expect(v).toBeCloseTo(i, 8));
  });
});

describe('the linear probe', () => {
  it('separates linearly separable blobs perfectly', () => {
    const train = blobs(600, 8, 4, 12, 1);
    const test = blobs(400, 8, 4, 12, 2);
    expect(linearProbe(train, test, 8, 4)).toEqual({ accuracy: 1, trainAccuracy: 1 });
  });

  it('reads the label from blobs that overlap a little, far above chance but not perfectly', () => {
    const result = linearProbe(blobs(2000, 5, 5, 2, 3), blobs(2000, 5, 5, 2, 4), 5, 5);
    expect(result.accuracy).toBeGreaterThan(0.6);
    expect(result.accuracy).toBeLessThan(0.99);
    expect(Math.abs(result.trainAccuracy - result.accuracy)).toBeLessThan(0.05); // 30 parameters cannot overfit 2000 points
  });

  it('is at chance when the labels are shuffled', () => {
    const train = blobs(3000, 10, 4, 3, 5);
    const test = blobs(3000, 10, 4, 3, 6);
    const result = linearProbe({ ...train, labels: shuffled(train.labels, 7) }, { ...test, labels: shuffled(test.labels, 8) }, 10, 4);
    expect(Math.abs(result.accuracy - 0.25)).toBeLessThan(0.03); // 3 standard errors of a chance accuracy
  });

  it('does not care about the features scale or offset, since it standardizes them', () => {
    const train = blobs(500, 4, 3, 2, 9);
    const test = blobs(500, 4, 3, 2, 10);
    const affine = (x: Float32Array) => x.map((v, i) => v * 10 ** (i % 4) + 5 * (i % 4));
    const plain = linearProbe(train, test, 4, 3);
    const moved = linearProbe({ ...train, x: affine(train.x) }, { ...test, x: affine(test.x) }, 4, 3);
    expect(moved.accuracy).toBeCloseTo(plain.accuracy, 2);
    expect(moved.trainAccuracy).toBeCloseTo(plain.trainAccuracy, 2);
  });

  it('is deterministic', () => {
    const train = blobs(400, 6, 3, 1.5, 11);
    const test = blobs(400, 6, 3, 1.5, 12);
    expect(linearProbe(train, test, 6, 3)).toEqual(linearProbe(train, test, 6, 3));
  });

  it('rejects sets whose shapes disagree with d, and labels out of range', () => {
    const train = blobs(10, 3, 2, 5, 13);
    expect(() => linearProbe(train, { ...train, n: 9 }, 3, 2)).toThrow(/expected test\.x to hold 9 x 3 = 27 features, found 30/);
    expect(() => linearProbe(train, train, 4, 2)).toThrow(RangeError);
    expect(() => linearProbe({ ...train, labels: train.labels.subarray(1) }, train, 3, 2)).toThrow(/expected 10 train\.labels, found 9/);
    expect(() => linearProbe(train, train, 3, 1)).toThrow(/expected train\.labels\[1\] in 0\.\.0, found 1/);
    expect(() => linearProbe(train, train, 3, 2, { l2: -1 })).toThrow(/l2/);
  });
});
