import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { createRng } from '../../src/data/batches.js';
import { IMQ_SCALES, mmd, type MmdKernel } from '../../src/models/families/info-vae/mmd.js';

/**
 * The unbiased MMD^2 of InfoVAE and WAE-MMD against the definition written out in float64 (double loops
 * over pairs), its expectation over seeded draws, its gradients against finite differences of that
 * definition, its tensor bookkeeping and its shape checks, on the cpu backend and on wasm.
 */
type Points = number[][];

const KERNELS: MmdKernel[] = ['rbf', 'imq'];
const U = 2 ** -24; // float32 unit roundoff

/** Seeded N(mean, sd^2) points [n, d] (Box-Muller on mulberry32), rounded to float32 as the tensors hold them. */
function gaussian(n: number, d: number, seed: number, mean = 0, sd = 1): Points {
  const rng = createRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Array.from({ length: n }, () => Array.from({ length: d }, () => Math.fround(mean + sd * normal())));
}

const squaredDistance = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + (ai - b[i]!) ** 2, 0);

/** The kernels by their definition: C = 2 d sigma^2, rbf exp(-D / C), imq sum_s sC / (sC + D). */
function kernelRef(kernel: MmdKernel, a: number[], b: number[], scale: number): number {
  const c = 2 * a.length * scale;
  const d2 = squaredDistance(a, b);
  return kernel === 'rbf' ? Math.exp(-d2 / c) : IMQ_SCALES.reduce((s, k) => s + (k * c) / (k * c + d2), 0);
}

/**
 * Gretton et al. 2012 eq. 3 in float64: means over distinct pairs within x and within y, minus twice the
 * mean over x-y pairs. `biased` includes the i = j pairs and divides by n^2 (the V-statistic); `overN2`
 * leaves them out but still divides by n^2: the two mistakes the unbiasedness test must catch.
 */
function mmdRef(x: Points, y: Points, kernel: MmdKernel, scale = 1, variant: 'unbiased' | 'biased' | 'overN2' = 'unbiased'): number {
  const within = (s: Points) => {
    let sum = 0;
    for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) if (i !== j || variant === 'biased') sum += kernelRef(kernel, s[i]!, s[j]!, scale);
    return sum / (variant === 'unbiased' ? s.length * (s.length - 1) : s.length ** 2);
  };
  let cross = 0;
  for (const a of x) for (const b of y) cross += kernelRef(kernel, a, b, scale);
  return within(x) + within(y) - (2 * cross) / (x.length * y.length);
}

function mmdOf(x: Points, y: Points, kernel: MmdKernel, scale?: number): number {
  const [xt, yt] = [tf.tensor2d(x), tf.tensor2d(y)];
  const out = mmd(xt, yt, kernel, scale);
  const value = out.dataSync()[0]!;
  tf.dispose([xt, yt, out]);
  return value;
}

/**
 * How far float32 may fall from the float64 definition. A distance D = ||a||^2 + ||b||^2 - 2 a.b (after
 * centring) is off by at most about (d + 2) u (||a||^2 + ||b||^2) (a dot product of d terms, then two
 * additions); the kernel turns that into at most L times as much, L = max |dk/dD| = 1/C for rbf and
 * sum_s 1/(sC) for imq, and exp, the divisions and addN add a few u of kMax = k(0). The sums dominate:
 * wasm sums N = n^2 entries in float32 (cpu in float64), and rounding errors of N same-signed terms
 * grow like sqrt(N) u |sum| in practice (Higham, Accuracy and Stability of Numerical Algorithms, 2nd
 * ed., section 4.2; the worst case N u would be some 30 times looser here), so a mean of entries up to
 * kMax is off by about sqrt(N) u kMax; we allow twice that. Three means weighted 1, 1, 2 give the 4.
 * Observed errors are at most a thirtieth of it; the V-statistic is off by over a thousand times more.
 */
function tolerance(x: Points, y: Points, kernel: MmdKernel, scale = 1): number {
  const d = x[0]!.length;
  const c = 2 * d * scale;
  const all = [...x, ...y];
  const centre = Array.from({ length: d }, (_, j) => all.reduce((s, p) => s + p[j]!, 0) / all.length);
  const r2 = Math.max(...all.map((p) => squaredDistance(p, centre)));
  const kMax = kernel === 'rbf' ? 1 : IMQ_SCALES.length;
  const slope = kernel === 'rbf' ? 1 / c : IMQ_SCALES.reduce((s, k) => s + 1 / (k * c), 0);
  const entry = slope * (d + 2) * U * 2 * r2 + 8 * U * kMax;
  const sums = 2 * Math.max(x.length, y.length) * U * kMax;
  return 4 * (entry + sums);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`mmd, the unbiased MMD^2 of InfoVAE and WAE-MMD (${backend})`, () => {
    beforeAll(async () => {
      await selectBackend(backend);
    });

    it('matches the definition in float64 for both kernels, d = 1, 2, 8 and unequal n, m', () => {
      let seed = 1;
      for (const kernel of KERNELS) {
        for (const d of [1, 2, 8]) {
          for (const [n, m, scale] of [[5, 9, 1], [17, 6, 0.5], [33, 20, 2]] as const) {
            const x = gaussian(n, d, seed++, 0.3, 1);
            const y = gaussian(m, d, seed++, 0, 1.3);
            const want = mmdRef(x, y, kernel, scale);
            const got = mmdOf(x, y, kernel, scale);
            const tol = tolerance(x, y, kernel, scale);
            expect(Math.abs(got - want), `${kernel} d=${d} n=${n} m=${m}: ${got} vs ${want}, tol ${tol}`).toBeLessThan(tol);
            // the tolerance is far below what a wrong estimator changes: the V-statistic differs by 1000 tol or more
            expect(Math.abs(mmdRef(x, y, kernel, scale, 'biased') - want)).toBeGreaterThan(1000 * tol);
          }
        }
      }
      // the default scale is sigma^2 = 1, pythae's kernel_bandwidth = 1
      const [x, y] = [gaussian(7, 3, 90), gaussian(8, 3, 91, 0.5)];
      expect(mmdOf(x, y, 'imq')).toBeCloseTo(mmdRef(x, y, 'imq', 1), 5);
      expect(Math.abs(mmdOf(x, y, 'imq') - mmdRef(x, y, 'imq', 2))).toBeGreaterThan(1e-3);
      // codes far from the origin: ||a||^2 ~ 3e6 would swamp the distances in float32 without the centring
      const [xFar, yFar] = [x, y].map((p) => p.map((row) => row.map((v) => Math.fround(v + 1000))));
      for (const kernel of KERNELS) {
        const want = mmdRef(xFar!, yFar!, kernel);
        expect(Math.abs(mmdOf(xFar!, yFar!, kernel) - want)).toBeLessThan(tolerance(xFar!, yFar!, kernel));
      }
    });

    it('is unbiased: near 0 on average for one distribution, often negative, the V-statistic is not', () => {
      const reps = 200;
      for (const kernel of KERNELS) {
        const draws = Array.from({ length: reps }, (_, r) => ({ x: gaussian(8, 2, 1000 + 2 * r), y: gaussian(8, 2, 1001 + 2 * r) }));
        const values = draws.map(({ x, y }) => mmdOf(x, y, kernel));
        const { mean, se } = meanAndSe(values);
        expect(Math.abs(mean), `${kernel}: mean ${mean}, se ${se}`).toBeLessThan(4 * se);
        expect(values.filter((v) => v < 0).length).toBeGreaterThan(reps / 5);
        for (const variant of ['biased', 'overN2'] as const) {
          const wrong = meanAndSe(draws.map(({ x, y }) => mmdRef(x, y, kernel, 1, variant)));
          expect(Math.abs(wrong.mean), `${kernel} ${variant}: mean ${wrong.mean}, se ${wrong.se}`).toBeGreaterThan(4 * wrong.se);
        }
        expect(Math.min(...draws.map(({ x, y }) => mmdRef(x, y, kernel, 1, 'biased')))).toBeGreaterThan(0);
      }
    });

    it('is clearly positive for shifted distributions and grows with the shift; rbf averages to its closed form', () => {
      const reps = 200;
      const d = 2;
      for (const kernel of KERNELS) {
        let previous = 0;
        for (const shift of [0.5, 1, 2]) {
          const values = Array.from({ length: reps }, (_, r) => mmdOf(gaussian(8, d, 5000 + 2 * r, shift), gaussian(8, d, 5001 + 2 * r), kernel));
          const { mean, se } = meanAndSe(values);
          expect(mean, `${kernel} shift ${shift}`).toBeGreaterThan(Math.max(5 * se, previous + 3 * se));
          previous = mean;
          if (kernel === 'rbf') {
            // x - x' ~ N(0, 2I), x - y ~ N(shift 1, 2I): E exp(-||u||^2 / C) = (1 + 4/C)^(-d/2) exp(-||mu||^2 / (C + 4))
            const c = 2 * d;
            const population = 2 * (1 + 4 / c) ** (-d / 2) * (1 - Math.exp(-(d * shift ** 2) / (c + 4)));
            expect(Math.abs(mean - population), `rbf shift ${shift}: ${mean} vs ${population}`).toBeLessThan(4 * se);
          }
        }
      }
    });

    it('has the gradients of the definition, through x and y, by tf.grad and tf.variableGrads', () => {
      const h = 1e-4;
      for (const kernel of KERNELS) {
        for (const [n, m, d, seed] of [[6, 4, 3, 70], [3, 5, 1, 71]] as const) {
          const x = gaussian(n, d, seed, 0.5);
          const y = gaussian(m, d, seed + 100);
          const [xt, yt] = [tf.tensor2d(x), tf.tensor2d(y)];
          const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => mmd(a as tf.Tensor2D, b as tf.Tensor2D, kernel))([xt, yt]);
          const got = { x: gx!.arraySync() as Points, y: gy!.arraySync() as Points };
          const central = (which: 'x' | 'y', i: number, j: number) => {
            const at = (delta: number) => {
              const p = { x: x.map((r) => [...r]), y: y.map((r) => [...r]) };
              p[which][i]![j]! += delta;
              return mmdRef(p.x, p.y, kernel);
            };
            return (at(h) - at(-h)) / (2 * h);
          };
          let largest = 0;
          for (const which of ['x', 'y'] as const) {
            const points = which === 'x' ? x : y;
            for (let i = 0; i < points.length; i++) {
              for (let j = 0; j < d; j++) {
                const want = central(which, i, j);
                largest = Math.max(largest, Math.abs(want));
                // float32 entries up to ~1.5 carry ~1e-6 error (observed 1.3e-6 at most); the difference ~h^2 f''' ~1e-8
                expect(Math.abs(got[which][i]![j]! - want), `${kernel} d${which}[${i}][${j}]`).toBeLessThan(2e-5);
              }
            }
          }
          expect(largest).toBeGreaterThan(1e-2); // the comparison is not between two zeros
          const v = tf.variable(xt);
          const { value, grads } = tf.variableGrads(() => mmd(v, yt, kernel), [v]);
          expect(tf.max(tf.abs(tf.sub(grads[v.name]!, gx!))).dataSync()[0]).toBeLessThan(1e-6);
          tf.dispose([xt, yt, gx!, gy!, v, value, ...Object.values(grads)]);
        }
      }
    });

    it('leaves no tensor behind, in the value or the gradient', () => {
      const [x, y] = [tf.tensor2d(gaussian(9, 4, 7)), tf.tensor2d(gaussian(6, 4, 8))];
      for (const kernel of KERNELS) {
        const before = tf.memory().numTensors;
        const out = mmd(x, y, kernel);
        expect(tf.memory().numTensors).toBe(before + 1);
        out.dispose();
        const g = tf.grad((a: tf.Tensor) => mmd(a as tf.Tensor2D, y, kernel))(x);
        expect(g.shape).toEqual([9, 4]);
        g.dispose();
        const one = tf.zeros([1, 4]) as tf.Tensor2D;
        expect(() => mmd(x, one, kernel)).toThrow(RangeError);
        one.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose([x, y]);
    });

    it('throws a RangeError naming the problem for shapes it cannot estimate from', () => {
      const t = (shape: number[]) => tf.zeros(shape) as tf.Tensor as tf.Tensor2D; // rank 1 too, for the rank check
      const cases: [tf.Tensor2D, tf.Tensor2D, RegExp, number?][] = [
        [t([3, 2]), t([4, 3]), /same dimension d; got x \[3, 2\], y \[4, 3\]/],
        [t([1, 2]), t([4, 2]), /at least 2 samples in each set; got n = 1, m = 4/],
        [t([4, 2]), t([1, 2]), /at least 2 samples in each set; got n = 4, m = 1/],
        [t([3, 0]), t([3, 0]), /dimension d must be at least 1; got 0/],
        [t([6]), t([3, 2]), /must be 2-D \[samples, d\]; got x \[6\]/],
        [t([3, 2]), t([3, 2]), /scale \(sigma\^2\) must be a finite number > 0; got 0/, 0],
        [t([3, 2]), t([3, 2]), /got -1/, -1],
        [t([3, 2]), t([3, 2]), /got NaN/, NaN],
        [t([3, 2]), t([3, 2]), /got Infinity/, Infinity],
      ];
      for (const [x, y, message, scale] of cases) {
        expect(() => mmd(x, y, 'rbf', scale)).toThrow(RangeError);
        expect(() => mmd(x, y, 'imq', scale)).toThrow(message);
        tf.dispose([x, y]);
      }
    });
  });
}

function meanAndSe(values: number[]): { mean: number; se: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, se: Math.sqrt(variance / values.length) };
}
