import * as tf from '@tensorflow/tfjs';
import { splitBatches } from '../../../data/batch-tensors.js';
import { deriveSeed } from '../../../data/batches.js';
import type { Split } from '../../../data/datasets.js';
import { columnVariances } from '../../column-variances.js';
import type { LayerMetrics } from '../../family.js';
import type { Conditionals, TwoLayerSpec } from './spec.js';

/**
 * Active units of each stochastic layer as Burda et al. define them (section 5.2): unit u is active when
 * A_u = Cov_x(E_{u ~ q(u | x)}[u]) exceeds the threshold. For h1 the expectation is the mean of q(h1 | x);
 * for z it is over q(z | x) = integral of q(z | h1) q(h1 | x) dh1, the mean of q(z | h1) averaged over
 * SAMPLES draws of h1 per image. The paper's code (iwae.py get_units_variances) takes one draw of h1 per
 * image, on 500 training images, which adds the draw's own noise to the variance; ours are the test set's
 * images, as for one stochastic layer (eval.activeThreshold).
 */
export const SAMPLES = 16;

const USAGE_STREAM = 0xac71e; // noise of the h1 draws, apart from every other stream

export async function twoLayerUsage(c: Conditionals, spec: TwoLayerSpec, split: Split, o: { batchSize: number; seed: number; threshold: number }): Promise<LayerMetrics[]> {
  const d1 = spec.intermediate.latentDim;
  const d2 = spec.latentDim;
  const h1Means = new Float32Array(split.count * d1);
  const zMeans = new Float32Array(split.count * d2);
  const perPass = Math.max(1, Math.floor(o.batchSize / SAMPLES));
  let b = 0;
  for (const batch of splitBatches(split, split.count, perPass, spec)) {
    const m = batch.size;
    const label = (t: tf.Tensor2D, y: tf.Tensor2D | null) => (y === null ? t : [t, y]);
    const [mu1, zMean] = tf.tidy(() => {
      const [mu, logVar] = c.qH1.apply(label(batch.x, batch.y)) as tf.Tensor2D[];
      const eps = tf.randomNormal([m, SAMPLES, d1], 0, 1, 'float32', deriveSeed(o.seed, USAGE_STREAM + b));
      const h1 = tf.reshape(tf.add(tf.expandDims(mu!, 1), tf.mul(tf.exp(tf.mul(tf.expandDims(logVar!, 1), 0.5)), eps)), [m * SAMPLES, d1]) as tf.Tensor2D;
      const y = batch.y === null ? null : (tf.reshape(tf.tile(tf.expandDims(batch.y, 1), [1, SAMPLES, 1]), [m * SAMPLES, -1]) as tf.Tensor2D);
      const [muZ] = c.qZ.apply(label(h1, y)) as tf.Tensor2D[];
      return [mu!, tf.mean(tf.reshape(muZ!, [m, SAMPLES, d2]), 1)];
    });
    b++;
    h1Means.set(await mu1.data(), batch.start * d1);
    zMeans.set(await zMean.data(), batch.start * d2);
    tf.dispose([mu1, zMean]);
  }
  const layer = (name: LayerMetrics['name'], means: Float32Array, dim: number, samples: number): LayerMetrics => {
    const muVariance = columnVariances(means, split.count, dim);
    return { name, dim, activeUnits: muVariance.filter((v) => v > o.threshold).length, muVariance, samples };
  };
  return [layer('h1', h1Means, d1, 1), layer('z', zMeans, d2, SAMPLES)];
}
