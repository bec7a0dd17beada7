import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { createRng } from '../../src/data/batches.js';
import { mssLogWeights, tcLogDensities, tcTerms, type TcEstimator, type TcLogDensities } from '../../src/models/families/beta-tcvae/estimators.js';

/**
 * The β-TCVAE minibatch estimators (MWS, MSS) against their formulas written out in float64, against the
 * exact aggregate posterior of small data sets (summed over every posterior), through their gradients, and
 * for their tensor bookkeeping and input checks, on the cpu backend and on wasm.
 */
type Matrix = number[][];
/** The estimators under test, and two wrong ones the brute-force tolerances must reject. */
type RefEstimator = TcEstimator | 'mws-logN' | 'mss-authors-literal';
interface Ref { logQzx: number[]; logQz: number[]; logQzProduct: number[]; logPz: number[] }

const LOG_2PI = Math.log(2 * Math.PI);
const logNormal = (x: number, mean: number, logVar: number) => -0.5 * (LOG_2PI + logVar + (x - mean) ** 2 * Math.exp(-logVar));
const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
const mean = (a: number[]) => sum(a) / a.length;
function logSumExp(a: number[]): number {
  const m = Math.max(...a);
  return m + Math.log(sum(a.map((x) => Math.exp(x - m))));
}

function normalSampler(seed: number): () => number {
  const rng = createRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/**
 * log W[i][j] from the definition: MWS 1/(N M) everywhere ('mws-logN' the mistake 1/N); MSS 1/N on the
 * diagonal, (N - M') / (N M') at column (i + 1) mod M, 1/M' elsewhere (M' = M - 1). 'mss-authors-literal'
 * is vae_quant.py's _log_importance_weight_matrix taken literally: its strides fill columns 0 and 1, then W[M'-1, 0].
 */
function refLogWeights(m: number, n: number, estimator: RefEstimator): Matrix {
  const others = m - 1;
  const strat = (n - others) / (n * others);
  const w: Matrix = Array.from({ length: m }, () => new Array<number>(m).fill(1 / others));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (estimator === 'mws') w[i]![j] = 1 / (n * m);
      else if (estimator === 'mws-logN') w[i]![j] = 1 / n;
      else if (estimator === 'mss') w[i]![j] = i === j ? 1 / n : j === (i + 1) % m ? strat : 1 / others;
      else if (j <= 1) w[i]![j] = j === 0 ? 1 / n : strat;
    }
  }
  if (estimator === 'mss-authors-literal') w[others - 1]![0] = strat;
  return w.map((row) => row.map(Math.log));
}

/** The four log-densities in float64 by loops over (i, j, k), as the brief and vae_quant.py's VAE.elbo define them. */
function refLogDensities(z: Matrix, mu: Matrix, logVar: Matrix, n: number, estimator: RefEstimator): Ref {
  const m = z.length;
  const d = z[0]!.length;
  const logW = refLogWeights(m, n, estimator);
  const dims = Array.from({ length: d }, (_, k) => k);
  const pair = (i: number, j: number, k: number) => logNormal(z[i]![k]!, mu[j]![k]!, logVar[j]![k]!);
  const rows = Array.from({ length: m }, (_, i) => i);
  return {
    logQzx: rows.map((i) => sum(dims.map((k) => pair(i, i, k)))),
    logQz: rows.map((i) => logSumExp(rows.map((j) => logW[i]![j]! + sum(dims.map((k) => pair(i, j, k)))))),
    logQzProduct: rows.map((i) => sum(dims.map((k) => logSumExp(rows.map((j) => logW[i]![j]! + pair(i, j, k)))))),
    logPz: rows.map((i) => sum(dims.map((k) => logNormal(z[i]![k]!, 0, 0)))),
  };
}

const refTerms = (r: Ref) => ({
  mutualInformation: mean(r.logQzx.map((x, i) => x - r.logQz[i]!)),
  totalCorrelation: mean(r.logQz.map((x, i) => x - r.logQzProduct[i]!)),
  dimensionwiseKl: mean(r.logQzProduct.map((x, i) => x - r.logPz[i]!)),
});

/** One draw per row from N(mu, exp(logVar)). */
const drawCodes = (mu: Matrix, logVar: Matrix, normal: () => number): Matrix => mu.map((row, i) => row.map((mk, k) => mk + Math.exp(0.5 * logVar[i]![k]!) * normal()));

/** tcLogDensities on arrays, read back and disposed. */
function estimate(z: Matrix, mu: Matrix, logVar: Matrix, n: number, estimator: TcEstimator): Ref {
  const inputs = [z, mu, logVar].map((a) => tf.tensor2d(a)) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const out = tcLogDensities(...inputs, n, estimator);
  const read = (t: tf.Tensor1D) => Array.from(t.dataSync());
  const values = { logQzx: read(out.logQzx), logQz: read(out.logQz), logQzProduct: read(out.logQzProduct), logPz: read(out.logPz) };
  tf.dispose([...inputs, ...Object.values(out)]);
  return values;
}

/** A data set of N Gaussian posteriors with d = 2 and standard deviation 0.3 in every dimension. */
interface Posteriors { mu: Matrix; logVar: Matrix }
const LOG_VAR = Math.log(0.09);
/** Means along a noisy line z2 ≈ 0.9 z1: an aggregate posterior with clearly dependent dimensions. */
function correlatedSet(normal: () => number): Posteriors {
  const mu = Array.from({ length: 40 }, (_, j) => {
    const t = -2 + (4 * j) / 39;
    return [t, 0.9 * t + 0.3 * normal()];
  });
  return { mu, logVar: mu.map(() => [LOG_VAR, LOG_VAR]) };
}
/** Means on the full 8 x 5 product grid with equal variances: q(z) is exactly q(z_1) q(z_2), TC = 0. */
function gridSet(): Posteriors {
  const mu = Array.from({ length: 40 }, (_, j) => [-2 + (4 * Math.floor(j / 5)) / 7, -2 + (j % 5)]);
  return { mu, logVar: mu.map(() => [LOG_VAR, LOG_VAR]) };
}

/** E_{i, z ~ q(z|x_i)}[log q(z)] and E[log prod_d q_d(z_d)] with q(z) = (1/N) sum_j q(z|x_j) summed exactly. */
function exactEntropies(set: Posteriors, drawsEach: number, normal: () => number): { logQz: number; logQzProduct: number } {
  const n = set.mu.length;
  const posteriors = set.mu.map((_, j) => j);
  let [logQz, logQzProduct] = [0, 0];
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < drawsEach; s++) {
      const z = drawCodes([set.mu[i]!], [set.logVar[i]!], normal)[0]!;
      const perDim = (j: number) => z.map((zk, k) => logNormal(zk, set.mu[j]![k]!, set.logVar[j]![k]!));
      logQz += logSumExp(posteriors.map((j) => sum(perDim(j)))) - Math.log(n);
      logQzProduct += sum(z.map((_, k) => logSumExp(posteriors.map((j) => perDim(j)[k]!)) - Math.log(n)));
    }
  }
  return { logQz: logQz / (n * drawsEach), logQzProduct: logQzProduct / (n * drawsEach) };
}

/** Means over `batches` minibatches of M drawn without replacement (a partial Fisher-Yates shuffle), z fresh each time. */
function minibatchMeans(set: Posteriors, m: number, batches: number, seed: number, estimator: RefEstimator, viaTf: boolean) {
  const rng = createRng(seed);
  const normal = normalSampler(seed + 1);
  const order = set.mu.map((_, j) => j);
  const [qz, prod] = [[] as number[], [] as number[]];
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rng() * (order.length - i));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const mu = order.slice(0, m).map((j) => set.mu[j]!);
    const logVar = order.slice(0, m).map((j) => set.logVar[j]!);
    const z = drawCodes(mu, logVar, normal);
    const r = viaTf ? estimate(z, mu, logVar, set.mu.length, estimator as TcEstimator) : refLogDensities(z, mu, logVar, set.mu.length, estimator);
    qz.push(mean(r.logQz));
    prod.push(mean(r.logQzProduct));
  }
  return { logQz: mean(qz), logQzProduct: mean(prod), totalCorrelation: mean(qz) - mean(prod) };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`β-TCVAE minibatch estimators (${backend})`, () => {
    beforeAll(async () => {
      await selectBackend(backend);
    });

    it('match the float64 formulas for M = 5..16, d = 1..4 and several N, both estimators', () => {
      const normal = normalSampler(11);
      const uniform = createRng(12);
      for (const [m, d] of [[5, 1], [9, 3], [16, 2], [12, 4]] as const) {
        for (const n of [m, 60, 60_000]) {
          const mu = Array.from({ length: m }, () => Array.from({ length: d }, () => normal()));
          const logVar = Array.from({ length: m }, () => Array.from({ length: d }, () => -2 + 3 * uniform()));
          const z = drawCodes(mu, logVar, normal);
          for (const estimator of ['mws', 'mss'] as const) {
            const got = estimate(z, mu, logVar, n, estimator);
            const want = refLogDensities(z, mu, logVar, n, estimator);
            for (const key of ['logQzx', 'logQz', 'logQzProduct', 'logPz'] as const) {
              got[key].forEach((g, i) => expect(Math.abs(g - want[key][i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[key][i]!))));
            }
          }
        }
      }
    });

    it('weighs each MSS row by 1/N on its own posterior, the stratum weight once, 1/(M - 1) elsewhere: a sum of 1', () => {
      for (const [m, n] of [[2, 2], [2, 50], [7, 7], [16, 60_000]] as const) {
        const w = mssLogWeights(m, n).map((row) => row.map(Math.exp));
        const strat = (n - m + 1) / (n * (m - 1));
        w.forEach((row, i) => {
          expect(sum(row)).toBeCloseTo(1, 12);
          expect(row[i]).toBeCloseTo(1 / n, 15);
          if (m > 2) expect(row[(i + 1) % m]).toBeCloseTo(strat, 15);
          expect(mssLogWeights(m, n)[i]).toEqual(refLogWeights(m, n, 'mss')[i]);
        });
      }
    });

    /*
     * Measured (N = 40, d = 2, M = 16, 240 minibatches; the same on cpu and wasm to 1e-8; exact terms from 400
     * draws per posterior), estimate minus exact, correlated / grid set:
     *   MSS  log q(z) -0.12 / -0.18, log prod -0.15 / -0.15, TC +0.03 / -0.03 (exact TC 0.88 / 0);
     *   MWS  log q(z) -3.54 / -3.23, log prod -7.22 / -7.22, TC +3.68 / +3.99.
     * Standard errors are about 0.015. MSS is the log of an unbiased estimate of q(z_i), so its bias is
     * downward only (Jensen): the band [-0.35, +0.07] leaves that about 0.17 of room and 4 standard errors
     * above. MWS sits between log M and log(M (N - 1) / (M - 1)) nats low per density (its own-posterior
     * weight 1/(N M) against q's 1/N), d times that for the product: its band is that interval with the same
     * margins. The mistakes below, measured on the same minibatches: MWS with log N for log(N M) gives log q(z)
     * -0.76 / -0.46 (1.9 nats above its band); the authors' literal MSS indexing +0.14 / +0.44 (TC -0.01 / +0.29).
     */
    it('land near the exact aggregate-posterior entropies (MSS) or within MWS\'s known offset, over many minibatches', () => {
      const normal = normalSampler(7);
      const sets = { correlated: correlatedSet(normal), grid: gridSet() };
      const [m, batches, n, d] = [16, 240, 40, 2];
      const mssBand = [-0.35, 0.07] as const;
      const mwsBand = (k: number) => [-k * Math.log((m * (n - 1)) / (m - 1)) - 0.4, -k * Math.log(m) + 0.07] as const;
      const within = (x: number, [lo, hi]: readonly [number, number]) => x >= lo && x <= hi;
      const tc: Record<string, Record<string, number>> = {};
      for (const [name, set] of Object.entries(sets)) {
        const exact = exactEntropies(set, 400, normal);
        const exactTc = exact.logQz - exact.logQzProduct;
        tc[name] = { exact: exactTc };
        const seed = name === 'grid' ? 200 : 100;
        const mss = minibatchMeans(set, m, batches, seed, 'mss', true);
        const mws = minibatchMeans(set, m, batches, seed, 'mws', true);
        tc[name]!.mss = mss.totalCorrelation;
        tc[name]!.mws = mws.totalCorrelation;
        expect(within(mss.logQz - exact.logQz, mssBand)).toBe(true);
        expect(within(mss.logQzProduct - exact.logQzProduct, mssBand)).toBe(true);
        expect(Math.abs(mss.totalCorrelation - exactTc)).toBeLessThan(0.15);
        expect(within(mws.logQz - exact.logQz, mwsBand(1))).toBe(true);
        expect(within(mws.logQzProduct - exact.logQzProduct, mwsBand(d))).toBe(true);
        // The tolerances reject a wrong constant and the authors' literal weight indexing.
        const wrongConstant = minibatchMeans(set, m, batches, seed, 'mws-logN', false);
        expect(within(wrongConstant.logQz - exact.logQz, mwsBand(1))).toBe(false);
        const literal = minibatchMeans(set, m, batches, seed, 'mss-authors-literal', false);
        expect(within(literal.logQz - exact.logQz, mssBand) && Math.abs(literal.totalCorrelation - exactTc) < 0.15).toBe(false);
      }
      const { correlated, grid } = tc as Record<'correlated' | 'grid', Record<string, number>>;
      expect(correlated.exact).toBeGreaterThan(0.5);
      expect(Math.abs(grid.exact!)).toBeLessThan(1e-9); // q(z) = q(z_1) q(z_2) holds at every z, so each draw gives 0
      expect(correlated.mss).toBeGreaterThan(0.6);
      expect(Math.abs(grid.mss!)).toBeLessThan(0.15);
      // MWS's TC carries (d - 1) of its per-density offset: not near zero on the factorised set, but ordered.
      expect(grid.mws).toBeGreaterThan(1);
      expect(correlated.mws! - grid.mws!).toBeGreaterThan(0.3);
    });

    it('have the gradients of the float64 formulas through mu, logVar and the reparameterised z', () => {
      const normal = normalSampler(21);
      const [m, d, n] = [3, 2, 10];
      const mu0 = Array.from({ length: m }, () => Array.from({ length: d }, () => 0.8 * normal()));
      const logVar0 = Array.from({ length: m }, () => Array.from({ length: d }, () => -1 + 0.5 * normal()));
      const eps = Array.from({ length: m }, () => Array.from({ length: d }, () => normal()));
      const codes = (mu: Matrix, logVar: Matrix) => mu.map((row, i) => row.map((x, k) => x + Math.exp(0.5 * logVar[i]![k]!) * eps[i]![k]!));
      const epsT = tf.tensor2d(eps);
      const names = ['mutualInformation', 'totalCorrelation', 'dimensionwiseKl'] as const;
      for (const estimator of ['mws', 'mss'] as const) {
        for (const term of names) {
          const muV = tf.variable(tf.tensor2d(mu0));
          const logVarV = tf.variable(tf.tensor2d(logVar0));
          const { value, grads } = tf.variableGrads(() => {
            const z = tf.add(muV, tf.mul(tf.exp(tf.mul(logVarV, 0.5)), epsT)) as tf.Tensor2D;
            const terms = tcTerms(tcLogDensities(z, muV, logVarV, n, estimator));
            return terms[term];
          }, [muV, logVarV]);
          const f = (mu: Matrix, logVar: Matrix) => refTerms(refLogDensities(codes(mu, logVar), mu, logVar, n, estimator))[term];
          expect(value.dataSync()[0]).toBeCloseTo(f(mu0, logVar0), 4);
          for (const [which, v] of [['mu', muV], ['logVar', logVarV]] as const) {
            const g = grads[v.name]!.arraySync() as Matrix;
            for (let i = 0; i < m; i++) {
              for (let k = 0; k < d; k++) {
                const h = 1e-5;
                const at = (delta: number) => {
                  const [mu, logVar] = [mu0.map((r) => [...r]), logVar0.map((r) => [...r])];
                  (which === 'mu' ? mu : logVar)[i]![k]! += delta;
                  return f(mu, logVar);
                };
                const fd = (at(h) - at(-h)) / (2 * h);
                expect(Number.isFinite(g[i]![k]!)).toBe(true);
                expect(Math.abs(g[i]![k]! - fd)).toBeLessThanOrEqual(1e-2 * Math.abs(fd) + 1e-3);
              }
            }
          }
          tf.dispose([value, ...Object.values(grads), muV, logVarV]);
        }
      }
      epsT.dispose();
    });

    it('leave no tensor behind, in the values, the terms or a gradient', () => {
      const normal = normalSampler(31);
      const mu = tf.tensor2d(Array.from({ length: 6 }, () => [normal(), normal(), normal()]));
      const logVar = tf.zeros([6, 3]) as tf.Tensor2D;
      const z = tf.add(mu, tf.randomNormal([6, 3], 0, 1, 'float32', 5)) as tf.Tensor2D;
      for (const estimator of ['mws', 'mss'] as const) {
        const before = tf.memory().numTensors;
        const densities: TcLogDensities = tcLogDensities(z, mu, logVar, 100, estimator);
        expect(tf.memory().numTensors).toBe(before + 4);
        const terms = tcTerms(densities);
        expect(tf.memory().numTensors).toBe(before + 7);
        tf.dispose([...Object.values(densities), ...Object.values(terms)]);
        const g = tf.grad((a: tf.Tensor) => {
          const ds = tcLogDensities(z, a as tf.Tensor2D, logVar, 100, estimator);
          return tcTerms(ds).totalCorrelation;
        })(mu);
        expect(g.shape).toEqual([6, 3]);
        g.dispose();
        expect(() => tcLogDensities(z, mu, logVar, 5, estimator)).toThrow(RangeError);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose([mu, logVar, z]);
    });

    it('throw a RangeError naming the problem for inputs they cannot estimate from', () => {
      const t = (shape: number[]) => tf.zeros(shape) as tf.Tensor as tf.Tensor2D;
      const cases: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, number, RegExp][] = [
        [t([1, 2]), t([1, 2]), t([1, 2]), 10, /at least 2 images; got M = 1/],
        [t([4, 2]), t([4, 2]), t([4, 2]), 3, /integer >= the batch size M = 4.*got 3/],
        [t([4, 2]), t([4, 2]), t([4, 2]), 10.5, /integer >= the batch size M = 4.*got 10.5/],
        [t([4, 2]), t([4, 3]), t([4, 2]), 10, /same shape \[M, d\]; got z \[4, 2\], mu \[4, 3\], logVar \[4, 2\]/],
        [t([4, 2]), t([4, 2]), t([5, 2]), 10, /same shape \[M, d\]; got z \[4, 2\], mu \[4, 2\], logVar \[5, 2\]/],
        [t([8]), t([4, 2]), t([4, 2]), 10, /must be 2-D \[M, d\]; got z \[8\]/],
        [t([4, 0]), t([4, 0]), t([4, 0]), 10, /code dimension d must be at least 1; got 0/],
      ];
      for (const [z, mu, logVar, n, message] of cases) expect(() => tcLogDensities(z, mu, logVar, n, 'mss')).toThrow(message);
      const ok = t([3, 2]);
      expect(() => tcLogDensities(ok, ok, ok, 10, 'iws' as TcEstimator)).toThrow(/'mws' or 'mss'; got 'iws'/);
      tf.dispose([...cases.flatMap(([a, b, c]) => [a, b, c]), ok]);
    });
  });
}
