import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/data/batches.js';
import { featureStats, frechetDistance } from '../../../src/eval/quality/frechet.js';

/** Standard normal draws (Box-Muller on the seeded mulberry32 of src/data). */
function normals(seed: number): () => number {
  const rng = createRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** A random d x d orthogonal matrix (row-major): Gram-Schmidt on Gaussian rows. */
function orthogonal(d: number, seed: number): Float64Array {
  const next = normals(seed);
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let t = 0; t < d; t++) q[i * d + t] = next();
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let t = 0; t < d; t++) dot += q[i * d + t]! * q[j * d + t]!;
        for (let t = 0; t < d; t++) q[i * d + t]! -= dot * q[j * d + t]!;
      }
    }
    let norm = 0;
    for (let t = 0; t < d; t++) norm += q[i * d + t]! ** 2;
    for (let t = 0; t < d; t++) q[i * d + t]! /= Math.sqrt(norm);
  }
  return q;
}

/** Q^T diag(values) Q: shares its eigenvectors (the rows of Q) with every other matrix built from the same Q. */
function rotated(values: number[], q: Float64Array): Float64Array {
  const d = values.length;
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += q[k * d + i]! * values[k]! * q[k * d + j]!;
      s[i * d + j] = sum;
    }
  }
  return s;
}

/** The distance for covariances with shared eigenvectors: sum (mu diff)^2 + sum (a + b - 2 sqrt(a b)) over eigenvalues. */
function closedForm(muA: number[], muB: number[], a: number[], b: number[]): number {
  const meanTerm = muA.reduce((acc, m, i) => acc + (m - muB[i]!) ** 2, 0);
  return meanTerm + a.reduce((acc, ai, i) => acc + ai + b[i]! - 2 * Math.sqrt(ai * b[i]!), 0);
}

describe('featureStats', () => {
  it('gives the mean and the covariance divided by n - 1', () => {
    // x: 1, 3, 5 (mean 3, squares 4 + 0 + 4); y: 2, 6, 4 (mean 4, squares 4 + 4 + 0); cross: 4 + 0 + 0
    const { mean, cov } = featureStats(Float32Array.of(1, 2, 3, 6, 5, 4), 3, 2);
    expect(Array.from(mean)).toEqual([3, 4]);
    expect(Array.from(cov)).toEqual([4, 2, 2, 4]);
  });

  it('refuses a wrong size and a single row', () => {
    expect(() => featureStats(new Float32Array(5), 3, 2)).toThrow(/3 x 2/);
    expect(() => featureStats(new Float32Array(2), 1, 2)).toThrow(/at least 2/);
  });
});

describe('frechetDistance', () => {
  it('is 0 between identical statistics', () => {
    const d = 16;
    const next = normals(1);
    const features = Float64Array.from({ length: 400 * d }, (_, i) => next() * (1 + (i % d)) + (i % 3));
    const stats = featureStats(features, 400, d);
    const { distance, sqrtError } = frechetDistance(stats, stats, d);
    let trace = 0;
    for (let i = 0; i < d; i++) trace += stats.cov[i * d + i]!;
    expect(distance).toBeGreaterThanOrEqual(0);
    expect(distance).toBeLessThan(1e-9 * 2 * trace);
    expect(sqrtError).toBeLessThan(1e-10);
  });

  it('matches the closed form for diagonal covariances', () => {
    const muA = [0, 1, -2];
    const muB = [1, 1, 0.5];
    const a = [1, 4, 0.25];
    const b = [9, 1, 0.25];
    const diag = (v: number[]) => rotated(v, Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]));
    const got = frechetDistance({ mean: Float64Array.from(muA), cov: diag(a) }, { mean: Float64Array.from(muB), cov: diag(b) }, 3);
    // (1 + 0 + 6.25) + (1 + 9 - 6) + (4 + 1 - 4) + 0 = 12.25
    expect(closedForm(muA, muB, a, b)).toBeCloseTo(12.25, 12);
    expect(got.distance).toBeCloseTo(12.25, 10);
  });

  it('matches the closed form for non-diagonal covariances with shared eigenvectors, at d = 128', () => {
    const d = 128;
    const q = orthogonal(d, 7);
    const rng = createRng(8);
    const a = Array.from({ length: d }, () => 0.01 + 10 * rng());
    const b = Array.from({ length: d }, () => 0.01 + 10 * rng());
    const muA = Array.from({ length: d }, () => rng());
    const muB = Array.from({ length: d }, () => rng());
    const got = frechetDistance({ mean: Float64Array.from(muA), cov: rotated(a, q) }, { mean: Float64Array.from(muB), cov: rotated(b, q) }, d);
    const want = closedForm(muA, muB, a, b);
    expect(Math.abs(got.distance - want) / want).toBeLessThan(1e-9);
    expect(got.sqrtError).toBeLessThan(1e-10);
  });

  it('matches sqrt(tr P + 2 sqrt(det P)) for the trace of sqrt(P), P = Sa Sb of two non-commuting 2 x 2 covariances', () => {
    const sa = [2, 0.8, 0.8, 1];
    const sb = [0.5, -0.3, -0.3, 3];
    const p = [sa[0]! * sb[0]! + sa[1]! * sb[2]!, sa[0]! * sb[1]! + sa[1]! * sb[3]!, sa[2]! * sb[0]! + sa[3]! * sb[2]!, sa[2]! * sb[1]! + sa[3]! * sb[3]!];
    // P's eigenvalues l1, l2 are non-negative, and (sqrt l1 + sqrt l2)^2 = l1 + l2 + 2 sqrt(l1 l2)
    const traceRoot = Math.sqrt(p[0]! + p[3]! + 2 * Math.sqrt(p[0]! * p[3]! - p[1]! * p[2]!));
    const want = 1 + 4 + (2 + 1 + 0.5 + 3) - 2 * traceRoot; // means (0, 0) and (1, -2)
    const got = frechetDistance({ mean: Float64Array.of(0, 0), cov: Float64Array.from(sa) }, { mean: Float64Array.of(1, -2), cov: Float64Array.from(sb) }, 2);
    expect(got.distance).toBeCloseTo(want, 12);
  });

  it('approaches the analytic distance between the Gaussians that features are drawn from', () => {
    const d = 4;
    const n = 20_000;
    const q = orthogonal(d, 11);
    const muA = [0, 0, 0, 0];
    const muB = [1, 0, -0.5, 0];
    const a = [1, 2, 0.5, 1];
    const b = [1.5, 1, 0.5, 3];
    // x = mu + Q^T diag(sqrt s) z has covariance Q^T diag(s) Q, as rotated() builds it
    const draw = (mu: number[], s: number[], seed: number) => {
      const next = normals(seed);
      const out = new Float32Array(n * d);
      for (let r = 0; r < n; r++) {
        const z = s.map((v) => Math.sqrt(v) * next());
        for (let i = 0; i < d; i++) out[r * d + i] = mu[i]! + z.reduce((acc, zk, k) => acc + q[k * d + i]! * zk, 0);
      }
      return out;
    };
    const got = frechetDistance(featureStats(draw(muA, a, 1), n, d), featureStats(draw(muB, b, 2), n, d), d);
    const want = closedForm(muA, muB, a, b);
    expect(want).toBeCloseTo(2.0081, 3);
    expect(Math.abs(got.distance - want)).toBeLessThan(0.06);
  });

  it('stays finite and non-negative, and reports its square-root residual, when covariances are rank-deficient', () => {
    const d = 32;
    const q = orthogonal(d, 3);
    const a = Array.from({ length: d }, (_, i) => (i < 3 ? i + 1 : 0)); // rank 3
    const b = Array.from({ length: d }, (_, i) => (i % 2 === 0 ? 0 : 2)); // rank 16, overlapping a in one direction
    const zeros = new Float64Array(d);
    const got = frechetDistance({ mean: zeros, cov: rotated(a, q) }, { mean: zeros, cov: rotated(b, q) }, d);
    expect(Number.isFinite(got.distance) && got.distance >= 0).toBe(true);
    expect(Number.isFinite(got.sqrtError) && got.sqrtError >= 0).toBe(true);
    expect(got.sqrtError).toBeLessThan(1e-6);
    const want = closedForm(Array.from(zeros), Array.from(zeros), a, b);
    expect(Math.abs(got.distance - want) / want).toBeLessThan(1e-7);

    // fewer samples than dimensions: both sample covariances are singular
    const next = normals(5);
    const few = (shift: number) => Float32Array.from({ length: 6 * d }, () => next() + shift);
    const sampled = frechetDistance(featureStats(few(0), 6, d), featureStats(few(0.5), 6, d), d);
    expect(Number.isFinite(sampled.distance) && sampled.distance >= 0).toBe(true);
    expect(Number.isFinite(sampled.sqrtError) && sampled.sqrtError >= 0).toBe(true);
  });

  it('refuses statistics of the wrong size or with NaN', () => {
    const ok = { mean: new Float64Array(2), cov: Float64Array.of(1, 0, 0, 1) };
    expect(() => frechetDistance(ok, { mean: new Float64Array(3), cov: ok.cov }, 2)).toThrow(/stats b/);
    expect(() => frechetDistance({ mean: Float64Array.of(0, NaN), cov: ok.cov }, ok, 2)).toThrow(/NaN/);
  });
});
