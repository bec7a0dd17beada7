import * as tf from '@tensorflow/tfjs';
import type { StepLoss } from '../../../config/kl-schedule.js';
import type { Objective } from '../../../config/loss-schema.js';
import { logMeanExpRows } from '../../elbo-objective.js';
import type { BatchObjective, ObjectiveOptions } from '../../family.js';
import type { Conditionals } from './spec.js';
import { twoLayerTerms } from './terms.js';

/**
 * Two stochastic layers: every term sampled (twoLayerTerms), the paper's VAE and IWAE alike. elbo: the
 * mean over samples and images of reconstructionWeight * recon + beta * kl, written so that with both
 * weights 1 and k = 1 it is the IWAE bound's value to the last bit.
 */
export function twoLayerObjective(c: Conditionals, width: number, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): BatchObjective {
  if (o.loss.freeBits !== null) throw new Error('free bits need a closed-form KL per dimension, which two stochastic layers do not have (the schema refuses it)');
  return tf.tidy(() => {
    const eps = tf.randomNormal([x.shape[0], o.loss.samples, width], 0, 1, 'float32', o.epsSeed) as tf.Tensor3D;
    const { recon, kl } = twoLayerTerms(c, x, y, eps, o.training);
    const means = { recon: tf.mean(recon) as tf.Scalar, kl: tf.mean(kl) as tf.Scalar };
    return { loss: TWO_LAYERS[o.loss.objective](recon, kl, o.loss), ...means };
  });
}

/** Each objective's value from two stochastic layers' sampled terms, recon and kl [b, k]. */
const TWO_LAYERS = {
  elbo: (recon, kl, loss) => tf.mean(tf.add(tf.mul(recon, loss.reconstructionWeight), tf.mul(kl, loss.beta))) as tf.Scalar,
  iwae: (recon, kl) => tf.neg(tf.mean(logMeanExpRows(tf.neg(tf.add(recon, kl)) as tf.Tensor2D))) as tf.Scalar,
} satisfies Record<Objective, (recon: tf.Tensor2D, kl: tf.Tensor2D, loss: StepLoss) => tf.Scalar>;
