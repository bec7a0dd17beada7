import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/data/batches.js';
import { fitGmm, gmmLogDensity, sampleGmm, type GaussianMixture } from '../../../src/eval/probes/gmm.js';
import { hungarian } from '../../../src/eval/probes/kmeans.js';
import { normals } from './blobs.js';

/** A mixture given by Cholesky-like factors: component k has covariance A_k A_k^T. */
interface Truth {
  weights: number[];
  means: number[][];
  factors: number[][][];
}

const outer = (a: number[][]) => a.map((ri) => a.map((rj) => ri.reduce((s, v, m) => s + v * rj[m]!, 0)));

function mixtureOf(t: Truth): GaussianMixture {
  return { weights: t.weights, means: t.means, covariances: t.factors.map(outer), d: t.means[0]!.length };
}

/** n seeded draws of the truth, by a path that shares no code with sampleGmm: mean + A z, z ~ N(0, I). */
function draw(t: Truth, n: number, seed: number): { x: Float32Array; labels: Int32Array } {
  const d = t.means[0]!.length;
  const z = normals(seed);
  const pick = createRng(seed + 1);
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let u = pick();
    let k = 0;
    while (k < t.weights.length - 1 && u >= t.weights[k]!) u -= t.weights[k++]!;
    labels[i] = k;
    const e = Array.from({ length: d }, z);
    for (let j = 0; j < d; j++) x[i * d + j] = t.means[k]![j]! + t.factors[k]![j]!.reduce((s, a, m) => s + a * e[m]!, 0);
  }
  return { x, labels };
}

/** Inverse and determinant by Gauss-Jordan elimination with partial pivoting (no Cholesky, unlike the code under test). */
function inverseDet(a: number[][]): { inv: number[][]; det: number } {
  const d = a.length;
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  let det = 1;
  for (let col = 0; col < d; col++) {
    const p = m.reduce((best, _, r) => (r >= col && Math.abs(m[r]![col]!) > Math.abs(m[best]![col]!) ? r : best), col);
    if (p !== col) [m[p], m[col], det] = [m[col]!, m[p]!, -det];
    const pivot = m[col]![col]!;
    det *= pivot;
    m[col] = m[col]!.map((v) => v / pivot);
    for (let r = 0; r < d; r++) if (r !== col) m[r] = m[r]!.map((v, j) => v - m[r]![col]! * m[col]![j]!);
  }
  return { inv: m.map((row) => row.slice(d)), det };
}

/** log of sum_k w_k N(x | mu_k, S_k), summed in the density domain (no log-sum-exp). */
function directLogDensity(m: GaussianMixture, point: number[]): number {
  let p = 0;
  m.weights.forEach((w, k) => {
    const { inv, det } = inverseDet(m.covariances[k]!);
    const c = point.map((v, j) => v - m.means[k]![j]!);
    const quad = c.reduce((s, ci, i) => s + ci * inv[i]!.reduce((t, a, j) => t + a * c[j]!, 0), 0);
    p += (w * Math.exp(-0.5 * quad)) / Math.sqrt((2 * Math.PI) ** m.d * det);
  });
  return Math.log(p);
}

/** The fitted component matched to each true one, by the least total squared distance between means. */
function matchTo(fit: GaussianMixture, truth: GaussianMixture): number[] {
  const c = truth.weights.length;
  const cost = Float64Array.from({ length: c * c }, (_, idx) =>
    truth.means[Math.floor(idx / c)]!.reduce((s, v, j) => s + (v - fit.means[idx % c]![j]!) ** 2, 0),
  );
  return Array.from(hungarian(cost, c, c));
}

const three2: Truth = {
  weights: [0.45, 0.3, 0.25],
  means: [[0, 0], [7, 1], [-1, 7]],
  factors: [[[1, 0], [0.5, 0.6]], [[0.7, 0], [-0.4, 0.8]], [[0.5, 0], [0.3, 1]]],
};

/** d = 5: means 8 apart along the first two axes, lower-triangular factors with diagonals in [0.5, 1]. */
function three5(): Truth {
  const rng = createRng(7);
  const factor = () => Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (j > i ? 0 : j === i ? 0.5 + 0.5 * rng() : 0.6 * rng() - 0.3)));
  return { weights: [0.45, 0.3, 0.25], means: [[0, 0, 0, 0, 0], [8, 0, 1, 0, -1], [0, 8, 0, -1, 0]], factors: [factor(), factor(), factor()] };
}

/** The maximum-likelihood fit had EM known each point's component: per-label frequencies, means and covariances. */
function labelledMoments(x: Float32Array, labels: Int32Array, c: number, d: number): GaussianMixture {
  const n = labels.length;
  const rows = (k: number) => Array.from({ length: n }, (_, i) => i).filter((i) => labels[i] === k);
  const weights: number[] = [];
  const means: number[][] = [];
  const covariances: number[][][] = [];
  for (let k = 0; k < c; k++) {
    const idx = rows(k);
    const mu = Array.from({ length: d }, (_, j) => idx.reduce((s, i) => s + x[i * d + j]!, 0) / idx.length);
    weights.push(idx.length / n);
    means.push(mu);
    covariances.push(mu.map((_, a) => mu.map((_, b) => idx.reduce((s, i) => s + (x[i * d + a]! - mu[a]!) * (x[i * d + b]! - mu[b]!), 0) / idx.length)));
  }
  return { weights, means, covariances, d };
}

describe('fitGmm', () => {
  it.each([
    ['d = 2', three2],
    ['d = 5', three5()],
  ])('recovers the weights, means and covariances of a known 3-component mixture in %s from 5,000 draws', (_, truth) => {
    const n = 5000;
    const { x, labels } = draw(truth, n, 11);
    const want = mixtureOf(truth);
    const { d } = want;
    const fit = fitGmm(x, n, d, 3, 0);
    expect(fit.converged).toBe(true);
    const got = fit.mixture;
    const match = matchTo(got, want);
    expect(new Set(match).size).toBe(3);
    // EM knows no labels, but with components ~7 standard deviations apart it should land on the fit of the
    // labelled points (measured gaps: 3e-7 in weight, 1e-5 in mean, 1e-4 in correlation units); the tolerances
    // leave a few times that, and catch a moment off by one point in a thousand
    const oracle = labelledMoments(x, labels, 3, d);
    match.forEach((f, k) => {
      expect(Math.abs(got.weights[f]! - oracle.weights[k]!)).toBeLessThan(1e-5);
      for (let j = 0; j < d; j++) expect(Math.abs(got.means[f]![j]! - oracle.means[k]![j]!)).toBeLessThan(1e-4);
      const s = oracle.covariances[k]!;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) expect(Math.abs(got.covariances[f]![i]![j]! - s[i]![j]!)).toBeLessThan(5e-4 * Math.sqrt(s[i]![i]! * s[j]![j]!));
      }
    });
    match.forEach((f, k) => {
      // standard errors at n = 5,000: weight <= 0.007, mean coordinate <= 0.035 (the smallest component holds
      // ~1,250 points of variance <= 1.4), so 0.02 and 0.1 are about 3 standard errors
      expect(Math.abs(got.weights[f]! - want.weights[k]!)).toBeLessThan(0.02);
      for (let j = 0; j < d; j++) expect(Math.abs(got.means[f]![j]! - want.means[k]![j]!)).toBeLessThan(0.1);
      // a covariance entry estimated from N Gaussian points has standard error sqrt((S_jl^2 + S_jj S_ll) / N)
      const count = want.weights[k]! * n;
      const s = want.covariances[k]!;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          const se = Math.sqrt((s[i]![j]! ** 2 + s[i]![i]! * s[j]![j]!) / count);
          expect(Math.abs(got.covariances[f]![i]![j]! - s[i]![j]!)).toBeLessThan(4 * se);
        }
      }
    });
  });

  it('never lowers the mean log-likelihood from one iteration to the next, and reports that of the mixture it returns', () => {
    // four components for three overlapping clusters: EM takes many small steps, where a wrong M-step shows as a drop
    const overlapping: Truth = { ...three2, means: [[0, 0], [2, 0.5], [0, 2]] };
    const n = 3000;
    const { x } = draw(overlapping, n, 3);
    const long = fitGmm(x, n, 2, 4, 1, { maxIter: 40, tol: 0 });
    expect(long.iterations).toBe(40);
    expect(long.converged).toBe(false);
    expect(long.history).toHaveLength(41);
    expect(long.history[40]! - long.history[0]!).toBeGreaterThan(0.01); // EM did move
    // 1e-12 nats: round-off of a mean of 3,000 log densities (regCovar moves the M-step off the exact maximum by
    // O(regCovar^2), far less); a wrong M-step or E-step loses orders of magnitude more
    for (let t = 1; t <= 40; t++) expect(long.history[t]!).toBeGreaterThanOrEqual(long.history[t - 1]! - 1e-12);
    for (const maxIter of [0, 1, 2, 3]) {
      const short = fitGmm(x, n, 2, 4, 1, { maxIter, tol: 0 });
      expect(short.history).toEqual(long.history.slice(0, maxIter + 1));
      const mean = gmmLogDensity(short.mixture, x, n).reduce((s, v) => s + v, 0) / n;
      expect(short.logLikelihood).toBeCloseTo(mean, 12);
    }
  });

  it('stops at the first iteration that moves the mean log-likelihood by less than tol', () => {
    const { x } = draw({ ...three2, means: [[0, 0], [2, 0.5], [0, 2]] }, 3000, 3);
    // 2, 5 and 125 iterations
    for (const tol of [1e-2, 1e-3, 1e-5]) {
      const fit = fitGmm(x, 3000, 2, 4, 1, { tol, maxIter: 1000 });
      const moves = fit.history.slice(1).map((h, t) => Math.abs(h - fit.history[t]!));
      expect(fit.converged).toBe(true);
      expect(moves).toHaveLength(fit.iterations);
      expect(moves.slice(0, -1).every((m) => m >= tol)).toBe(true);
      expect(moves.at(-1)!).toBeLessThan(tol);
    }
    const capped = fitGmm(x, 3000, 2, 4, 1, { tol: 1e-5, maxIter: 3 });
    expect([capped.iterations, capped.converged]).toEqual([3, false]);
  });

  it('gives the same fit for the same seed, and a mixture that survives JSON unchanged', () => {
    const { x } = draw(three2, 999, 5);
    const a = fitGmm(x, 999, 2, 3, 42);
    expect(fitGmm(x, 999, 2, 3, 42)).toEqual(a);
    const copy = JSON.parse(JSON.stringify(a.mixture)) as GaussianMixture;
    expect(copy).toEqual(a.mixture);
    expect(gmmLogDensity(copy, x, 999)).toEqual(gmmLogDensity(a.mixture, x, 999));
  });

  it('fits d = 1', () => {
    const truth: Truth = { weights: [0.6, 0.4], means: [[-3], [3]], factors: [[[1]], [[0.5]]] };
    const n = 3999; // odd: the kernels take points in pairs
    const { x } = draw(truth, n, 9);
    const fit = fitGmm(x, n, 1, 2, 0);
    const match = matchTo(fit.mixture, mixtureOf(truth));
    match.forEach((f, k) => {
      const variance = truth.factors[k]![0]![0]! ** 2;
      expect(Math.abs(fit.mixture.weights[f]! - truth.weights[k]!)).toBeLessThan(0.02);
      expect(Math.abs(fit.mixture.means[f]![0]! - truth.means[k]![0]!)).toBeLessThan(0.1);
      // the variance of N Gaussian points has standard error variance * sqrt(2 / N)
      expect(Math.abs(fit.mixture.covariances[f]![0]![0]! - variance)).toBeLessThan(4 * variance * Math.sqrt(2 / (truth.weights[k]! * n)));
    });
  });

  it('fits points that are all equal: every covariance is regCovar I, every mean the point', () => {
    const point = [1.5, -2, 0.25];
    const n = 101;
    const x = Float32Array.from({ length: n * 3 }, (_, i) => point[i % 3]!);
    const fit = fitGmm(x, n, 3, 4, 0, { regCovar: 1e-4 });
    expect(fit.mixture.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    for (let k = 0; k < 4; k++) {
      expect(fit.mixture.means[k]).toEqual(point);
      expect(fit.mixture.covariances[k]).toEqual([[1e-4, 0, 0], [0, 1e-4, 0], [0, 0, 1e-4]]);
    }
    // every point sits at the mode of N(point, 1e-4 I)
    expect(fit.logLikelihood).toBeCloseTo(-1.5 * Math.log(2 * Math.PI * 1e-4), 9);
    expect(() => fitGmm(x, n, 3, 4, 0, { regCovar: 0 })).toThrow(/component \d's covariance is not positive definite.*increase regCovar/);
  });

  it('fits fewer distinct points than components without a NaN', () => {
    const points = [[0, 0], [5, 5], [-3, 4]];
    const n = 60;
    const x = Float32Array.from({ length: n * 2 }, (_, i) => points[Math.floor(i / 2) % 3]![i % 2]!);
    const fit = fitGmm(x, n, 2, 5, 3);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(fit.history.every(Number.isFinite)).toBe(true);
    const { weights, means, covariances } = fit.mixture;
    expect([...weights, ...means.flat(), ...covariances.flat(2)].every(Number.isFinite)).toBe(true);
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    // each distinct point holds a third of the points, so a third of the weight sits on components centred there
    for (const p of points) {
      const on = weights.filter((_, k) => means[k]![0] === p[0] && means[k]![1] === p[1]).reduce((s, w) => s + w, 0);
      expect(on).toBeCloseTo(1 / 3, 9);
    }
    expect(gmmLogDensity(fit.mixture, x, n).every(Number.isFinite)).toBe(true);
    // k-means leaves clusters empty here: those components keep weight 0, their centroid and the spread of all the points
    const empty = weights.flatMap((w, k) => (w === 0 ? [k] : []));
    expect(empty.length).toBeGreaterThan(0);
    const centre = [0, 1].map((j) => points.reduce((acc, p) => acc + p[j]! / 3, 0));
    const spread = [0, 1].map((i) => [0, 1].map((j) => points.reduce((acc, p) => acc + ((p[i]! - centre[i]!) * (p[j]! - centre[j]!)) / 3, 0) + (i === j ? 1e-6 : 0)));
    for (const k of empty) {
      expect(points.some((p) => p[0] === means[k]![0] && p[1] === means[k]![1])).toBe(true);
      covariances[k]!.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(spread[i]![j]!, 12)));
    }
  });

  it('rejects invalid arguments', () => {
    const x = new Float32Array(20);
    expect(() => fitGmm(x, 10, 3, 2, 0)).toThrow(/expected x to hold 10 x 3 = 30 values, found 20/);
    expect(() => fitGmm(x, 0, 2, 1, 0)).toThrow(/expected n to be an integer >= 1, found 0/);
    expect(() => fitGmm(x, 10, 0, 1, 0)).toThrow(/expected d to be an integer >= 1/);
    expect(() => fitGmm(x, 10, 2, 0, 0)).toThrow(/expected components to be an integer >= 1/);
    expect(() => fitGmm(x, 10, 2, 11, 0)).toThrow(/expected components <= n = 10, found 11/);
    expect(() => fitGmm(x, 10, 2, 2, 0.5)).toThrow(/expected seed to be an integer/);
    expect(() => fitGmm(x, 10, 2, 2, 0, { maxIter: -1 })).toThrow(/maxIter/);
    expect(() => fitGmm(x, 10, 2, 2, 0, { tol: -1 })).toThrow(/tol/);
    expect(() => fitGmm(x, 10, 2, 2, 0, { regCovar: NaN })).toThrow(/regCovar/);
    expect(() => fitGmm(Float32Array.of(0, NaN), 2, 1, 1, 0)).toThrow(/expected finite points, found NaN at x\[1\] \(point 1\)/);
    for (const call of [() => fitGmm(x, 10, 2, 0, 0), () => fitGmm(x, 10, 2, 2, 0, { tol: -1 })]) expect(call).toThrow(RangeError);
  });
});

const handMade: GaussianMixture = {
  weights: [0.3, 0.7],
  means: [[1, -1, 0.5], [-2, 0, 1]],
  covariances: [
    [[2, 0.5, -0.3], [0.5, 1, 0.2], [-0.3, 0.2, 0.8]],
    [[0.5, -0.1, 0], [-0.1, 1.5, 0.4], [0, 0.4, 1]],
  ],
  d: 3,
};

describe('gmmLogDensity', () => {
  it('matches the mixture density computed directly in float64', () => {
    const points = [[0, 0, 0], [1, -1, 0.5], [-2, 0, 1], [3, 2, -1], [-0.5, 0.25, 0.75]];
    const got = gmmLogDensity(handMade, Float32Array.from(points.flat()), points.length);
    points.forEach((p, i) => expect(got[i]!).toBeCloseTo(directLogDensity(handMade, p), 12));
  });

  it('matches in d = 1, and stays finite far out where the density itself underflows to 0', () => {
    const m: GaussianMixture = { weights: [0.25, 0.75], means: [[-1], [2]], covariances: [[[0.5]], [[2]]], d: 1 };
    const got = gmmLogDensity(m, Float32Array.of(-1, 0.375, 2, 400), 4);
    [-1, 0.375, 2].forEach((p, i) => expect(got[i]!).toBeCloseTo(directLogDensity(m, [p]), 12));
    expect(directLogDensity(m, [400])).toBe(-Infinity);
    // at x = 400 the broad component dominates by e^-40000: its log term alone, to double precision
    expect(got[3]).toBeCloseTo(Math.log(0.75) - 0.5 * Math.log(2 * Math.PI * 2) - (398 * 398) / 4, 9);
    // where even the log density overflows (a Mahalanobis distance past 1e308), the answer is -Infinity, not NaN
    const needle: GaussianMixture = { weights: [1], means: [[0]], covariances: [[[1e-300]]], d: 1 };
    expect(gmmLogDensity(needle, Float32Array.of(1e10), 1)[0]).toBe(-Infinity);
  });

  it('rejects a malformed mixture or points', () => {
    const x = new Float32Array(6);
    const bad = (patch: Partial<GaussianMixture>) => () => gmmLogDensity({ ...handMade, ...patch }, x, 2);
    expect(bad({ weights: [0.25, 0.5] })).toThrow(/expected mixture.weights to sum to 1, found 0.75/);
    expect(bad({ weights: [1.3, -0.3] })).toThrow(/expected mixture.weights\[1\] to be finite and >= 0/);
    expect(bad({ weights: [] })).toThrow(/at least one component/);
    expect(bad({ means: [[0, 0, 0]] })).toThrow(/expected 2 means and covariances/);
    expect(bad({ means: [[0, 0], [0, 0, 0]] })).toThrow(/expected mixture.means\[0\] to hold 3 finite values/);
    expect(bad({ covariances: [handMade.covariances[0]!, [[1, 0], [0, 1]]] })).toThrow(/mixture.covariances\[1\] to be a 3 x 3 matrix/);
    const asymmetric = [[1, 0.5, 0], [0.4, 1, 0], [0, 0, 1]];
    expect(bad({ covariances: [handMade.covariances[0]!, asymmetric] })).toThrow(/covariances\[1\] to be symmetric/);
    const indefinite = [[1, 2, 0], [2, 1, 0], [0, 0, 1]];
    expect(bad({ covariances: [indefinite, handMade.covariances[1]!] })).toThrow(/covariances\[0\] to be positive definite/);
    expect(bad({ d: 0 })).toThrow(/mixture.d/);
    expect(() => gmmLogDensity(handMade, x, 3)).toThrow(/expected x to hold 3 x 3 = 9 values, found 6/);
    expect(() => gmmLogDensity(handMade, Float32Array.of(0, 0, Infinity), 1)).toThrow(/expected finite points, found Infinity at x\[2\]/);
  });
});

describe('sampleGmm', () => {
  it("draws with the mixture's mean and covariance, and never from a component of weight 0", () => {
    const m: GaussianMixture = {
      weights: [0.3, 0.5, 0, 0.2],
      means: [...handMade.means, [1000, 1000, 1000], [0, 3, -2]],
      covariances: [...handMade.covariances, handMade.covariances[0]!, [[1, 0, 0], [0, 0.3, 0], [0, 0, 2]]],
      d: 3,
    };
    const count = 100_000;
    const s = sampleGmm(m, count, 5);
    expect(s).toHaveLength(count * 3);
    expect(s.every((v) => Math.abs(v) < 100)).toBe(true);
    // moments of a mixture: mean sum w mu; covariance sum w (S + mu mu^T) - mean mean^T
    const mean = [0, 1, 2].map((j) => m.weights.reduce((acc, w, k) => acc + w * m.means[k]![j]!, 0));
    const cov = [0, 1, 2].map((i) =>
      [0, 1, 2].map((j) => m.weights.reduce((acc, w, k) => acc + w * (m.covariances[k]![i]![j]! + m.means[k]![i]! * m.means[k]![j]!), 0) - mean[i]! * mean[j]!),
    );
    const sampleMean = [0, 1, 2].map((j) => s.reduce((acc, v, idx) => (idx % 3 === j ? acc + v : acc), 0) / count);
    for (let j = 0; j < 3; j++) expect(Math.abs(sampleMean[j]! - mean[j]!)).toBeLessThan(4 * Math.sqrt(cov[j]![j]! / count));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j <= i; j++) {
        // the standard error of a sample covariance is sd((x_i - m_i)(x_j - m_j)) / sqrt(count), estimated from the draws
        const products = Array.from({ length: count }, (_, r) => (s[r * 3 + i]! - sampleMean[i]!) * (s[r * 3 + j]! - sampleMean[j]!));
        const c = products.reduce((acc, v) => acc + v, 0) / count;
        const sd = Math.sqrt(products.reduce((acc, v) => acc + (v - c) ** 2, 0) / count);
        expect(Math.abs(c - cov[i]![j]!)).toBeLessThan(4 * (sd / Math.sqrt(count)));
      }
    }
  });

  it('gives the same draws for the same seed and different draws for another', () => {
    const a = sampleGmm(handMade, 50, 1);
    expect(sampleGmm(handMade, 50, 1)).toEqual(a);
    const b = sampleGmm(handMade, 50, 2);
    expect(b.some((v, i) => v !== a[i])).toBe(true);
    expect(sampleGmm(handMade, 0, 1)).toHaveLength(0);
  });

  it('rejects a bad count or seed', () => {
    expect(() => sampleGmm(handMade, -1, 0)).toThrow(/expected count to be an integer >= 0/);
    expect(() => sampleGmm(handMade, 1.5, 0)).toThrow(RangeError);
    expect(() => sampleGmm(handMade, 1, NaN)).toThrow(/expected seed to be an integer/);
  });
});
