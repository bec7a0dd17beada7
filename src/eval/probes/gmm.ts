import { cholesky, componentLogDensities, toResponsibilities, type Packed } from './gmm-gaussian.js';
import { unpack, type GaussianMixture } from './gmm-mixture.js';
import { kmeans } from './kmeans.js';
import { checkCount } from './labelled-set.js';

export { gmmLogDensity, sampleGmm, type GaussianMixture } from './gmm-mixture.js';

/**
 * A Gaussian mixture with full covariances fitted by expectation-maximisation, as scikit-learn's
 * GaussianMixture(covariance_type='full', init_params='kmeans') does. Ghosh et al. (2020) fit one to the
 * posterior means of a trained autoencoder's training set and decode draws from it ("ex-post density
 * estimation"), in place of draws from the N(0, I) prior that the aggregate posterior does not match.
 */

export interface GmmOptions {
  maxIter?: number; // EM iterations at most, scikit-learn's max_iter
  tol?: number; // nats per point: stop when the mean log-likelihood moves less than this, scikit-learn's tol
  regCovar?: number; // added to each covariance's diagonal so none is singular, scikit-learn's reg_covar
}

export interface GmmFit {
  mixture: GaussianMixture;
  logLikelihood: number; // mean log-likelihood per point of `mixture` on the fitted points, in nats
  history: number[]; // the mean log-likelihood of the k-means start, then after each iteration (last = logLikelihood)
  iterations: number; // EM iterations run
  converged: boolean; // the last iteration moved the mean log-likelihood by less than tol
}

// k-means only seeds EM, which refines any reasonable partition; this caps Lloyd on unclustered data
const KMEANS_MAX_ITER = 100;
// a component with less responsibility than this (in points) is empty: see mStep
const EMPTY_MASS = 1e-10;

/**
 * Fits a mixture of `components` Gaussians to n points of x ([n, d] row-major). Responsibilities start as
 * one k-means run's hard assignments (seeded, so a seed gives one result); then each iteration is an M-step
 * (weighted moments, plus regCovar on the diagonal) followed by an E-step (responsibilities in log space).
 * Every sum runs in float64.
 */
export function fitGmm(x: Float32Array, n: number, d: number, components: number, seed: number, opts: GmmOptions = {}): GmmFit {
  checkCount(n, 1, 'n');
  checkCount(d, 1, 'd');
  if (x.length !== n * d) throw new RangeError(`expected x to hold ${n} x ${d} = ${n * d} values, found ${x.length}`);
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) throw new RangeError(`expected finite points, found ${x[bad]} at x[${bad}] (point ${Math.floor(bad / d)})`);
  checkCount(components, 1, 'components');
  if (components > n) throw new RangeError(`expected components <= n = ${n}, found ${components}`);
  if (!Number.isInteger(seed)) throw new RangeError(`expected seed to be an integer, found ${seed}`);
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-3;
  const regCovar = opts.regCovar ?? 1e-6;
  checkCount(maxIter, 0, 'maxIter');
  if (!(Number.isFinite(tol) && tol >= 0)) throw new RangeError(`expected tol to be finite and >= 0, found ${tol}`);
  if (!(Number.isFinite(regCovar) && regCovar >= 0)) throw new RangeError(`expected regCovar to be finite and >= 0, found ${regCovar}`);

  const { assignments, centroids } = kmeans(x, n, d, components, seed, { restarts: 1, maxIter: KMEANS_MAX_ITER });
  const resp = new Float64Array(n * components);
  assignments.forEach((k, i) => (resp[i * components + k] = 1));
  // a k-means cluster left empty (fewer distinct points than components) keeps its centroid and the spread of all the data
  const fallback: Packed = { c: components, d, weights: new Float64Array(components), means: centroids, covs: new Float64Array(components * d * d) };
  const pooled = mStep(x, n, d, new Float64Array(n).fill(1), { ...fallback, c: 1 }, regCovar).covs;
  for (let k = 0; k < components; k++) fallback.covs.set(pooled, k * d * d);

  let params = mStep(x, n, d, resp, fallback, regCovar);
  let step = eStep(x, n, params, 0);
  const history = [step.meanLogLikelihood];
  let converged = false;
  let iterations = 0;
  while (iterations < maxIter && !converged) {
    params = mStep(x, n, d, step.resp, params, regCovar);
    iterations++;
    const next = eStep(x, n, params, iterations);
    converged = Math.abs(next.meanLogLikelihood - step.meanLogLikelihood) < tol;
    history.push(next.meanLogLikelihood);
    step = next;
  }
  return { mixture: unpack(params), logLikelihood: step.meanLogLikelihood, history, iterations, converged };
}

/** Responsibilities [n, C] and the mean log-likelihood of the points under the current parameters. */
function eStep(x: Float32Array, n: number, p: Packed, iteration: number): { resp: Float64Array; meanLogLikelihood: number } {
  const factors = Array.from({ length: p.c }, (_, k) => {
    const l = cholesky(p.covs, p.d, k * p.d * p.d);
    if (l === null) {
      throw new RangeError(
        `component ${k}'s covariance is not positive definite after ${iteration} EM iterations: its points span fewer than ` +
          `d = ${p.d} dimensions and regCovar is too small for the scale of the data; increase regCovar or use fewer components`,
      );
    }
    return l;
  });
  const resp = componentLogDensities(x, n, p, factors);
  const logDensity = toResponsibilities(resp, n, p.c);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += logDensity[i]!;
  return { resp, meanLogLikelihood: sum / n };
}

/**
 * Maximum-likelihood weights, means and covariances given the responsibilities [n, C], with regCovar on
 * each covariance's diagonal. Covariances are accumulated about the new means (two passes), not as
 * E[x x^T] - mu mu^T, which cancels digits for a narrow component far from the origin. A component holding
 * less than EMPTY_MASS points of responsibility keeps its previous mean and covariance, with its (near-zero)
 * weight: re-estimated, its moments would be 0 / 0 or the noise of subnormal responsibilities; reseeding
 * it elsewhere would break the monotone likelihood of EM and, with fewer distinct points than components,
 * would move it again at every iteration.
 */
function mStep(x: Float32Array, n: number, d: number, resp: Float64Array, prev: Packed, regCovar: number): Packed {
  const c = prev.c;
  const nk = new Float64Array(c);
  const means = new Float64Array(c * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const r = resp[i * c + k]!;
      if (r === 0) continue;
      nk[k]! += r;
      for (let j = 0; j < d; j++) means[k * d + j]! += r * x[i * d + j]!;
    }
  }
  const empty = Array.from(nk, (mass) => mass < EMPTY_MASS);
  for (let k = 0; k < c; k++) {
    for (let j = 0; j < d; j++) means[k * d + j] = empty[k] ? prev.means[k * d + j]! : means[k * d + j]! / nk[k]!;
  }
  const covs = new Float64Array(c * d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const r = resp[i * c + k]!;
      if (r === 0 || empty[k]) continue;
      for (let j = 0; j < d; j++) centred[j] = x[i * d + j]! - means[k * d + j]!;
      // lower triangle only: the matrix is symmetric, and this halves the n C d^2 work
      const o = k * d * d;
      for (let j = 0; j < d; j++) {
        const rc = r * centred[j]!;
        for (let q = 0; q <= j; q++) covs[o + j * d + q]! += rc * centred[q]!;
      }
    }
  }
  for (let k = 0; k < c; k++) {
    const o = k * d * d;
    if (empty[k]) {
      covs.set(prev.covs.subarray(o, o + d * d), o);
      continue;
    }
    for (let j = 0; j < d; j++) {
      for (let q = 0; q < j; q++) {
        const v = covs[o + j * d + q]! / nk[k]!;
        covs[o + j * d + q] = v;
        covs[o + q * d + j] = v;
      }
      covs[o + j * d + j] = covs[o + j * d + j]! / nk[k]! + regCovar;
    }
  }
  return { c, d, weights: nk.map((mass) => mass / n), means, covs };
}
