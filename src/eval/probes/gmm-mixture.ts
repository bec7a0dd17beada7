import { createRng } from '../../data/batches.js';
import { choleskyFactors, componentLogDensities, toResponsibilities, type Packed } from './gmm-gaussian.js';
import { checkCount } from './labelled-set.js';

/**
 * A Gaussian mixture as plain arrays, so a fitted one serialises to JSON and back unchanged (every value is
 * a finite float64). weights [C] sum to 1; means [C][d]; covariances [C][d][d], full and positive definite.
 */
export interface GaussianMixture {
  weights: number[];
  means: number[][];
  covariances: number[][][];
  d: number;
}

/** log p(x_i) under the mixture for n points of x ([n, d] row-major), in nats. */
export function gmmLogDensity(m: GaussianMixture, x: Float32Array, n: number): Float64Array {
  const { packed, factors } = checkMixture(m);
  checkCount(n, 0, 'n');
  checkPoints(x, n, m.d);
  return toResponsibilities(componentLogDensities(x, n, packed, factors), n, packed.c);
}

/**
 * count draws from the mixture, [count, d] row-major: a component with probability equal to its weight
 * (a weight of 0 is never drawn), then mean + L eps with L L^T the covariance and eps ~ N(0, I).
 */
export function sampleGmm(m: GaussianMixture, count: number, seed: number): Float32Array {
  const { packed, factors } = checkMixture(m);
  checkCount(count, 0, 'count');
  if (!Number.isInteger(seed)) throw new RangeError(`expected seed to be an integer, found ${seed}`);
  const { c, d, weights, means } = packed;
  const cumulative = new Float64Array(c);
  let lastDrawable = 0;
  for (let k = 0, sum = 0; k < c; k++) {
    sum += weights[k]!;
    cumulative[k] = sum;
    if (weights[k]! > 0) lastDrawable = k;
  }
  const rng = createRng(seed);
  const out = new Float32Array(count * d);
  const eps = new Float64Array(d);
  for (let s = 0; s < count; s++) {
    const u = rng();
    // weights that sum to 1 - 1e-16 can leave u past the last cumulative sum: the last drawable one takes it
    let k = cumulative.findIndex((cum) => u < cum);
    if (k === -1) k = lastDrawable;
    for (let j = 0; j < d; j++) eps[j] = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    for (let j = 0; j < d; j++) {
      let v = means[k * d + j]!;
      for (let q = 0; q <= j; q++) v += factors[k * d * d + j * d + q]! * eps[q]!;
      out[s * d + j] = v;
    }
  }
  return out;
}

/** Throws a RangeError unless x holds n x d finite values. */
export function checkPoints(x: Float32Array, n: number, d: number): void {
  if (x.length !== n * d) throw new RangeError(`expected x to hold ${n} x ${d} = ${n * d} values, found ${x.length}`);
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) throw new RangeError(`expected finite points, found ${x[bad]} at x[${bad}] (point ${Math.floor(bad / d)})`);
}

/** The mixture's nested arrays flattened into the float64 layout the kernels take. */
function pack(m: GaussianMixture): Packed {
  const c = m.weights.length;
  const d = m.d;
  return {
    c,
    d,
    weights: Float64Array.from(m.weights),
    means: Float64Array.from(m.means.flat()),
    covs: Float64Array.from(m.covariances.flat(2)),
  };
}

/** The packed arrays back as nested plain arrays. */
export function unpack(p: Packed): GaussianMixture {
  const { c, d } = p;
  const rows = (a: Float64Array, offset: number, count: number) => Array.from({ length: count }, (_, i) => Array.from(a.subarray(offset + i * d, offset + (i + 1) * d)));
  return {
    weights: Array.from(p.weights),
    means: rows(p.means, 0, c),
    covariances: Array.from({ length: c }, (_, k) => rows(p.covs, k * d * d, d)),
    d,
  };
}

const WEIGHT_SUM_TOL = 1e-6; // far above float64 round-off of C additions, far below a missing component
const SYMMETRY_TOL = 1e-9; // relative: a JSON round trip is exact, hand-built matrices may carry round-off

/** Throws a RangeError naming the first malformed field; returns the packed mixture and its Cholesky factors. */
function checkMixture(m: GaussianMixture): { packed: Packed; factors: Float64Array } {
  checkCount(m.d, 1, 'mixture.d');
  const { d } = m;
  const c = m.weights.length;
  if (c === 0) throw new RangeError('expected mixture.weights to hold at least one component, found none');
  const bad = m.weights.findIndex((w) => !(Number.isFinite(w) && w >= 0));
  if (bad !== -1) throw new RangeError(`expected mixture.weights[${bad}] to be finite and >= 0, found ${m.weights[bad]}`);
  const sum = m.weights.reduce((a, w) => a + w, 0);
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOL) throw new RangeError(`expected mixture.weights to sum to 1, found ${sum}`);
  if (m.means.length !== c || m.covariances.length !== c) {
    throw new RangeError(`expected ${c} means and covariances (one per weight), found ${m.means.length} and ${m.covariances.length}`);
  }
  for (let k = 0; k < c; k++) {
    const mean = m.means[k]!;
    const cov = m.covariances[k]!;
    if (mean.length !== d || !mean.every(Number.isFinite)) throw new RangeError(`expected mixture.means[${k}] to hold ${d} finite values`);
    if (cov.length !== d || !cov.every((row) => row.length === d && row.every(Number.isFinite))) {
      throw new RangeError(`expected mixture.covariances[${k}] to be a ${d} x ${d} matrix of finite values`);
    }
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) {
        const [a, b] = [cov[i]![j]!, cov[j]![i]!];
        if (Math.abs(a - b) > SYMMETRY_TOL * (Math.abs(a) + Math.abs(b))) {
          throw new RangeError(`expected mixture.covariances[${k}] to be symmetric, found ${a} at [${i}][${j}] and ${b} at [${j}][${i}]`);
        }
      }
    }
  }
  const packed = pack(m);
  const factors = choleskyFactors(packed, (k) => new RangeError(`expected mixture.covariances[${k}] to be positive definite`));
  return { packed, factors };
}
