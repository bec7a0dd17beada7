import { type LabelledSet, checkCount, checkLabelledSet } from './labelled-set.js';
import { type Objective, lbfgs } from './lbfgs.js';

/**
 * A linear probe: multinomial logistic regression (softmax with a bias per class) fitted on standardized
 * training features by full-batch L-BFGS, scored on the test features. It measures how much of the label
 * a linear read-out of the latent space recovers. The objective is scikit-learn's
 * LogisticRegression(C=1) divided by n:
 *   mean_i [logsumexp(z_i) - z_i[y_i]] + (l2 / 2) ||W||^2,  z_i = W (x_i - mean) / std + b,
 * with l2 = 1 / n_train by default; the bias is not penalized. Everything is deterministic.
 */

export interface ProbeOptions {
  l2?: number; // weight penalty per unit of mean loss; default 1 / train.n, i.e. scikit-learn's C = 1
  iterations?: number; // L-BFGS iterations; default 100, scikit-learn's max_iter
}

export interface ProbeResult {
  accuracy: number; // on the test set
  trainAccuracy: number; // on the training set: far above accuracy means the probe overfits
}

export function linearProbe(train: LabelledSet, test: LabelledSet, d: number, classes: number, opts: ProbeOptions = {}): ProbeResult {
  checkCount(d, 1, 'd');
  checkCount(classes, 1, 'classes');
  checkLabelledSet(train, d, classes, 'train');
  checkLabelledSet(test, d, classes, 'test');
  const l2 = opts.l2 ?? 1 / train.n;
  const iterations = opts.iterations ?? 100;
  if (!(l2 >= 0 && Number.isFinite(l2))) throw new RangeError(`expected l2 to be a finite number >= 0, found ${l2}`);
  checkCount(iterations, 0, 'iterations');

  const { mean, scale } = standardization(train.x, train.n, d);
  const fit = lbfgs(crossEntropy(train, d, classes, mean, scale, l2), new Float64Array(classes * (d + 1)), { iterations });
  const raw = rawWeights(fit.theta, d, classes, mean, scale);
  return { accuracy: accuracyOf(test, d, classes, raw), trainAccuracy: accuracyOf(train, d, classes, raw) };
}

/** Per-feature mean and standard deviation (divided by n), in float64; a constant feature keeps scale 1. */
function standardization(x: Float32Array, n: number, d: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const t = x[i * d + j]! - mean[j]!;
      scale[j]! += t * t;
    }
  }
  for (let j = 0; j < d; j++) {
    const std = Math.sqrt(scale[j]! / n);
    // a constant feature's std is rounding noise in its mean; dividing by it would blow the noise up
    scale[j] = std > 1e-12 * Math.max(Math.abs(mean[j]!), 1) ? std : 1;
  }
  return { mean, scale };
}

interface RawWeights {
  w: Float64Array; // [classes, d] weights on the unstandardized features
  b: Float64Array; // [classes]
}

/**
 * Folds the standardization into the weights: W (x - mean) / std + b = (W / std) x + (b - (W / std) mean).
 * Working on the raw float32 features this way spares an n x d float64 copy of the training set.
 */
function rawWeights(theta: Float64Array, d: number, classes: number, mean: Float64Array, scale: Float64Array, out?: RawWeights): RawWeights {
  const w = out?.w ?? new Float64Array(classes * d);
  const b = out?.b ?? new Float64Array(classes);
  for (let c = 0; c < classes; c++) {
    let shift = 0;
    for (let j = 0; j < d; j++) {
      const v = theta[c * d + j]! / scale[j]!;
      w[c * d + j] = v;
      shift += v * mean[j]!;
    }
    b[c] = theta[classes * d + c]! - shift;
  }
  return { w, b };
}

/** The objective over theta = [W (classes x d, standardized space), b (classes)] and its gradient. */
function crossEntropy(train: LabelledSet, d: number, classes: number, mean: Float64Array, scale: Float64Array, l2: number): Objective {
  const { x, labels, n } = train;
  const raw: RawWeights = { w: new Float64Array(classes * d), b: new Float64Array(classes) };
  const z = new Float64Array(classes);
  const gw = new Float64Array(classes * d); // sum_i r_ic x_ij over raw features
  const rs = new Float64Array(classes); // sum_i r_ic, r = softmax(z) - onehot(y)
  return (theta, grad) => {
    const { w, b } = rawWeights(theta, d, classes, mean, scale, raw);
    gw.fill(0);
    rs.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      let zMax = -Infinity;
      for (let c = 0; c < classes; c++) {
        let s = b[c]!;
        for (let j = 0, wc = c * d; j < d; j++) s += w[wc + j]! * x[row + j]!;
        z[c] = s;
        if (s > zMax) zMax = s;
      }
      const y = labels[i]!;
      loss += zMax - z[y]!;
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        const e = Math.exp(z[c]! - zMax); // shifted by the largest logit so nothing overflows
        z[c] = e;
        sum += e;
      }
      loss += Math.log(sum);
      for (let c = 0; c < classes; c++) {
        const r = z[c]! / sum - (c === y ? 1 : 0);
        rs[c]! += r;
        for (let j = 0, wc = c * d; j < d; j++) gw[wc + j]! += r * x[row + j]!;
      }
    }
    // chain rule back through the folded standardization of rawWeights
    let penalty = 0;
    for (let c = 0; c < classes; c++) {
      for (let j = 0; j < d; j++) {
        const t = theta[c * d + j]!;
        grad[c * d + j] = (gw[c * d + j]! - mean[j]! * rs[c]!) / (scale[j]! * n) + l2 * t;
        penalty += t * t;
      }
      grad[classes * d + c] = rs[c]! / n;
    }
    return loss / n + 0.5 * l2 * penalty;
  };
}

/** Fraction of the set whose largest logit is its label's (ties go to the lower class index). */
function accuracyOf(set: LabelledSet, d: number, classes: number, { w, b }: RawWeights): number {
  let correct = 0;
  for (let i = 0; i < set.n; i++) {
    let best = 0;
    let bestZ = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = b[c]!;
      for (let j = 0; j < d; j++) s += w[c * d + j]! * set.x[i * d + j]!;
      if (s > bestZ) {
        bestZ = s;
        best = c;
      }
    }
    if (best === set.labels[i]) correct++;
  }
  return correct / set.n;
}
