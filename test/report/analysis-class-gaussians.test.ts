import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/data/batches.js';
import { classGaussians, classGaussiansProjected, ellipse } from '../../src/report/analysis/class-gaussians.js';
import type { ClassGaussian, Mat2, Vec2 } from '../../src/report/analysis/class-gaussians.js';
import { pca2 } from '../../src/report/analysis/pca.js';

/*
 * A tiny example worked by hand. dim = 3, contours in dims [0, 2]; dim 1 carries values that would
 * change every number if it leaked in. numClasses = 3, class 1 has no members.
 *
 * class 0, points 0..2: mu in dims (0, 2) = (1, 2), (3, 4), (2, 6)
 *   mean = (6/3, 12/3) = (2, 4); deviations (-1, -2), (1, 0), (0, 2)
 *   covariance of the means (/ N = 3): xx = (1 + 1 + 0)/3 = 2/3, xy = (2 + 0 + 0)/3 = 2/3,
 *   yy = (4 + 0 + 4)/3 = 8/3
 *   posterior variances exp(logVar): dim 0 = 0.5, 1, 1.5 -> mean 1; dim 2 = 0.25, 0.25, 1 -> mean 0.5
 *   cov = [[1 + 2/3, 2/3], [2/3, 0.5 + 8/3]] = [[5/3, 2/3], [2/3, 19/6]]
 * class 2, points 3..4: mu = (-1, 0), (1, 2)
 *   mean = (0, 1); deviations (-1, -1), (1, 1): covariance of the means (/ 2) = [[1, 1], [1, 1]]
 *   variances: dim 0 = 2, 4 -> 3; dim 2 = 1, 1 -> 1
 *   cov = [[4, 1], [1, 2]]
 */
const DIM = 3;
const MU = Float32Array.from([1, 100, 2, 3, -7, 4, 2, 9, 6, -1, 50, 0, 1, -50, 2]);
const VAR = [0.5, 100, 0.25, 1, 100, 0.25, 1.5, 100, 1, 2, 100, 1, 4, 100, 1];
const LOG_VAR = Float32Array.from(VAR, Math.log);
const LABELS = Uint8Array.from([0, 0, 0, 2, 2]);

function expectMat(actual: Mat2, expected: Mat2, digits = 5): void {
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(actual[i]![j]).toBeCloseTo(expected[i]![j]!, digits);
}

/** The hand-computed example above, for contours in dims (0, 2). */
function expectHandExample(result: ClassGaussian[]): void {
  expect(result.map((g) => g.label)).toEqual([0, 2]); // class 1 has no members and is skipped
  const [c0, c2] = result;
  expect(c0!.count).toBe(3);
  expect(c0!.mean[0]).toBeCloseTo(2, 6);
  expect(c0!.mean[1]).toBeCloseTo(4, 6);
  expectMat(c0!.cov, [[5 / 3, 2 / 3], [2 / 3, 19 / 6]]);
  expect(c2!.count).toBe(2);
  expect(c2!.mean[0]).toBeCloseTo(0, 6);
  expect(c2!.mean[1]).toBeCloseTo(1, 6);
  expectMat(c2!.cov, [[4, 1], [1, 2]]);
}

describe('classGaussians', () => {
  it('matches the hand-computed example', () => {
    expectHandExample(classGaussians(MU, LOG_VAR, LABELS, 5, DIM, [0, 2], 3));
  });

  it('swapping dims transposes the result', () => {
    const [c0] = classGaussians(MU, LOG_VAR, LABELS, 5, DIM, [2, 0], 3);
    expect(c0!.mean[0]).toBeCloseTo(4, 6);
    expectMat(c0!.cov, [[19 / 6, 2 / 3], [2 / 3, 5 / 3]]);
  });

  it('is the covariance of samples drawn from the class posteriors (law of total variance)', () => {
    // Draw z ~ N(mu_i, diag(exp(logVar_i))) with i uniform over class 0 and compare moments.
    const rng = createRng(5);
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const draws = 200_000;
    let sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0; // prettier-ignore
    for (let s = 0; s < draws; s++) {
      const i = s % 3;
      const x = MU[i * DIM]! + Math.sqrt(VAR[i * DIM]!) * normal();
      const y = MU[i * DIM + 2]! + Math.sqrt(VAR[i * DIM + 2]!) * normal();
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      syy += y * y;
    }
    const mx = sx / draws;
    const my = sy / draws;
    const [c0] = classGaussians(MU, LOG_VAR, LABELS, 5, DIM, [0, 2], 3);
    const tolerance = 0.03; // Monte Carlo error at 200k draws is below 0.01 here
    expect(Math.abs(sxx / draws - mx * mx - c0!.cov[0][0])).toBeLessThan(tolerance);
    expect(Math.abs(sxy / draws - mx * my - c0!.cov[0][1])).toBeLessThan(tolerance);
    expect(Math.abs(syy / draws - my * my - c0!.cov[1][1])).toBeLessThan(tolerance);
  });

  it('fails loudly on bad input', () => {
    expect(() => classGaussians(MU, LOG_VAR, LABELS, 5, DIM, [0, 3], 3)).toThrow(RangeError); // dim 3 of 3
    expect(() => classGaussians(MU, LOG_VAR, LABELS, 4, DIM, [0, 2], 3)).toThrow(RangeError); // count
    expect(() => classGaussians(MU, LOG_VAR, LABELS, 5, DIM, [0, 2], 2)).toThrow(RangeError); // label 2 >= 2
  });
});

describe('classGaussiansProjected', () => {
  it('with the two unit axes and no centre, matches the hand-computed example', () => {
    expectHandExample(classGaussiansProjected(MU, LOG_VAR, LABELS, 5, DIM, { components: [[1, 0, 0], [0, 0, 1]] }, 3));
  });

  it('equals Pᵀ Σ P of the full-dimensional moment-matched covariance, for an oblique P and a centre', () => {
    const p0 = [0.6, 0.0, 0.8];
    const p1 = [-0.48, 0.6, 0.36];
    const centre = [1, 2, 3];
    const [g0] = classGaussiansProjected(MU, LOG_VAR, LABELS, 5, DIM, { components: [p0, p1], mean: centre }, 3);
    // Independent route: full 3 x 3 class covariance (mean diag variance + covariance of means), then project.
    const members = [0, 1, 2];
    const m = [0, 1, 2].map((d) => members.reduce((s, i) => s + MU[i * DIM + d]!, 0) / 3);
    const sigma = [0, 1, 2].map((a) =>
      [0, 1, 2].map(
        (b) =>
          members.reduce((s, i) => s + (MU[i * DIM + a]! - m[a]!) * (MU[i * DIM + b]! - m[b]!), 0) / 3 +
          (a === b ? members.reduce((s, i) => s + Math.exp(LOG_VAR[i * DIM + a]!), 0) / 3 : 0),
      ),
    );
    const quad = (x: number[], y: number[]): number => x.reduce((s, xa, a) => s + y.reduce((t, yb, b) => t + xa * sigma[a]![b]! * yb, 0), 0);
    const dot = (x: number[], y: number[]): number => x.reduce((s, v, k) => s + v * y[k]!, 0);
    const shifted = m.map((v, d) => v - centre[d]!);
    expect(g0!.mean[0]).toBeCloseTo(dot(shifted, p0), 5);
    expect(g0!.mean[1]).toBeCloseTo(dot(shifted, p1), 5);
    expectMat(g0!.cov, [[quad(p0, p0), quad(p0, p1)], [quad(p1, p0), quad(p1, p1)]]);
  });

  it('takes a pca2 result as the projection, so contour centres sit on the projected points', () => {
    const pca = pca2(MU, 5, DIM);
    const gaussians = classGaussiansProjected(MU, LOG_VAR, LABELS, 5, DIM, pca, 3);
    for (const g of gaussians) {
      const rows = [0, 1, 2, 3, 4].filter((i) => LABELS[i] === g.label);
      const cx = rows.reduce((s, i) => s + pca.projected[i * 2]!, 0) / rows.length;
      const cy = rows.reduce((s, i) => s + pca.projected[i * 2 + 1]!, 0) / rows.length;
      expect(g.mean[0]).toBeCloseTo(cx, 4);
      expect(g.mean[1]).toBeCloseTo(cy, 4);
    }
  });
});

describe('ellipse', () => {
  const mahalanobis2 = ([x, y]: Vec2, mean: Vec2, cov: Mat2): number => {
    const det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0];
    const dx = x - mean[0];
    const dy = y - mean[1];
    return (cov[1][1] * dx * dx - 2 * cov[0][1] * dx * dy + cov[0][0] * dy * dy) / det;
  };

  it('puts every point at Mahalanobis distance k, and closes', () => {
    const mean: Vec2 = [2, -1];
    const cov: Mat2 = [[4, 1.5], [1.5, 1]];
    const points = ellipse(mean, cov, 2, 48);
    expect(points).toHaveLength(49);
    expect(points[48]).toEqual(points[0]);
    for (const p of points) expect(mahalanobis2(p, mean, cov)).toBeCloseTo(4, 10);
  });

  it('diagonal covariance: semi-axes k sqrt(eigenvalues) along the coordinate axes', () => {
    const wide = ellipse([1, 1], [[9, 0], [0, 4]], 2);
    expect(Math.max(...wide.map(([x]) => Math.abs(x - 1)))).toBeCloseTo(6, 10);
    expect(Math.max(...wide.map(([, y]) => Math.abs(y - 1)))).toBeCloseTo(4, 10);
    const tall = ellipse([0, 0], [[4, 0], [0, 9]], 1.5);
    expect(Math.max(...tall.map(([x]) => Math.abs(x)))).toBeCloseTo(3, 10);
    expect(Math.max(...tall.map(([, y]) => Math.abs(y)))).toBeCloseTo(4.5, 10);
  });

  it('correlated covariance: major axis along the top eigenvector', () => {
    // [[5, 3], [3, 5]]: eigenvalue 8 along (1, 1), 2 along (1, -1).
    const points = ellipse([0, 0], [[5, 3], [3, 5]], 1, 64);
    const radii = points.map(([x, y]) => Math.hypot(x, y));
    const far = points[radii.indexOf(Math.max(...radii))]!;
    expect(Math.max(...radii)).toBeCloseTo(Math.sqrt(8), 10);
    expect(Math.min(...radii)).toBeCloseTo(Math.sqrt(2), 10);
    expect(Math.abs(far[0])).toBeCloseTo(Math.abs(far[1]), 10);
    expect(far[0] * far[1]).toBeGreaterThan(0);
  });

  it('rejects a covariance that is not positive semi-definite, and too few segments', () => {
    expect(() => ellipse([0, 0], [[1, 2], [2, 1]], 1)).toThrow(RangeError);
    expect(() => ellipse([0, 0], [[1, 0], [0, 1]], 1, 2)).toThrow(RangeError);
  });
});
