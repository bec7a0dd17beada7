import { activeBackend } from '../../backend/active.js';
import { centre, fits, meanOf } from '../probes/nearest.js';
import { precisionRecallOnBackend } from './precision-recall-backend.js';
import { precisionRecallGram } from './precision-recall-gram.js';

/**
 * Improved precision and recall of a generative model (Kynkäänniemi et al. 2019), on feature vectors.
 *
 * A set's manifold is the union of balls around its points, each with the radius of that point's k-th
 * nearest neighbour in the same set (itself excluded). Precision is the share of generated points inside the
 * real manifold (are samples realistic?); recall the share of real points inside the generated manifold (is
 * the data covered?). Unlike one distance between distributions, the pair separates blurry-but-covering
 * models from sharp-but-collapsed ones.
 *
 * Distances are squared Euclidean, the float64 sum of (x_t - y_t)^2 in order; a point on a ball's surface
 * is inside. Where the backend's float32 products are IEEE ones, they estimate every distance and exact
 * sums decide whatever the estimate leaves open (precision-recall-backend.ts); elsewhere a float64 Gram
 * kernel in JavaScript does the same (precision-recall-gram.ts). Both equal a brute-force computation
 * exactly, ties included.
 */

/**
 * Share of fake points inside the real manifold (precision) and of real points inside the fake manifold
 * (recall). real and fake are row-major [nReal, d] and [nFake, d]; k is the neighbour that sets a radius
 * (3 in the paper). Time is O((nReal + nFake)^2 d) and memory O((nReal + nFake) (d + k)).
 */
export function precisionRecall(real: Float32Array, fake: Float32Array, nReal: number, nFake: number, d: number, k = 3): { precision: number; recall: number } {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, found ${k}`);
  if (real.length !== nReal * d) throw new RangeError(`expected ${nReal} x ${d} real features, found ${real.length} values`);
  if (fake.length !== nFake * d) throw new RangeError(`expected ${nFake} x ${d} fake features, found ${fake.length} values`);
  if (nReal <= k || nFake <= k) throw new RangeError(`a k = ${k} radius needs more than ${k} points per set, found ${nReal} real and ${nFake} fake`);
  if (!real.every(Number.isFinite) || !fake.every(Number.isFinite)) throw new RangeError('features hold a NaN or an infinity');
  if (activeBackend().ieeeFloat32MatMul()) {
    const mean = meanOf([real, fake], d);
    const r = centre(real, nReal, d, mean);
    const f = centre(fake, nFake, d, mean);
    if (fits(r, f)) {
      const { precision, recall } = precisionRecallOnBackend(r, f, k);
      return { precision, recall };
    }
  }
  return precisionRecallGram(real, fake, nReal, nFake, d, k);
}
