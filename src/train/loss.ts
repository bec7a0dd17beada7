import * as tf from '@tensorflow/tfjs';
import type { LossConfig } from '../config/schema.js';
import type { StepLoss } from '../config/kl-schedule.js';
import { gaussianKl, gaussianKlPerDim, type LossTerms } from '../models/likelihood.js';
import type { Posterior } from '../models/types.js';

type Weights = Pick<LossConfig, 'beta' | 'reconstructionWeight'>;

/**
 * The training objective: mean over the batch of reconstructionWeight * recon + beta * kl (both weights 1
 * is the negative ELBO).
 */
export function objective(terms: LossTerms, weights: Weights): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.add(tf.mul(terms.recon, weights.reconstructionWeight), tf.mul(terms.kl, weights.beta))) as tf.Scalar);
}

/** The same objective from term means already on the host. */
export function objectiveValue(recon: number, kl: number, weights: Weights): number {
  return weights.reconstructionWeight * recon + weights.beta * kl;
}

/**
 * The free-bits KL term (Kingma et al. 2016, one group per latent dimension): sum_d max(KL_d, floor), KL_d
 * the batch mean of dimension d's closed-form KL, and the count of dimensions under the floor. max passes
 * no gradient to the side that lost, so a dimension under the floor feels no KL pull in this step.
 */
export function flooredKl(posterior: Posterior, floor: number): { kl: tf.Scalar; atFloor: tf.Scalar } {
  return tf.tidy(() => {
    const perDim = tf.mean(gaussianKlPerDim(posterior.mu, posterior.logVar), 0);
    return { kl: tf.sum(tf.maximum(perDim, floor)) as tf.Scalar, atFloor: tf.sum(tf.cast(tf.less(perDim, floor), 'float32')) as tf.Scalar };
  });
}

/** The same floored KL from mean KL per dimension already on the host (a whole split's). */
export function flooredKlValue(klPerDim: readonly number[], floor: number): { kl: number; atFloor: number } {
  return { kl: klPerDim.reduce((s, v) => s + Math.max(v, floor), 0), atFloor: klPerDim.filter((v) => v < floor).length };
}

/**
 * One batch's objective and the batch means of its terms, as a step reads them back: kl is the plain KL
 * whatever was minimised; klFloored and atFloor are there with free bits.
 */
// a type, not an interface: tf.tidy returns only objects with an index signature
export type BatchObjective = {
  loss: tf.Scalar;
  recon: tf.Scalar;
  kl: tf.Scalar;
  klFloored?: tf.Scalar;
  atFloor?: tf.Scalar;
};

/**
 * The ELBO-shaped objective from each image's reconstruction term (already averaged over its z samples)
 * and the posterior: reconstructionWeight * recon + beta * KL, the KL floored per dimension with free bits.
 */
export function elboObjective(recon: tf.Tensor1D, posterior: Posterior, weights: StepLoss): BatchObjective {
  return tf.tidy(() => {
    const kl = gaussianKl(posterior.mu, posterior.logVar);
    if (weights.freeBits === null) return { loss: objective({ recon, kl }, weights), recon: tf.mean(recon) as tf.Scalar, kl: tf.mean(kl) as tf.Scalar };
    const floored = flooredKl(posterior, weights.freeBits);
    const reconMean = tf.mean(recon) as tf.Scalar;
    const loss = tf.add(tf.mul(reconMean, weights.reconstructionWeight), tf.mul(floored.kl, weights.beta)) as tf.Scalar;
    return { loss, recon: reconMean, kl: tf.mean(kl) as tf.Scalar, klFloored: floored.kl, atFloor: floored.atFloor };
  });
}

/** The means a step reads back, in one tensor: [loss, recon, kl] and, with free bits, [klFloored, atFloor]. */
export function stackTerms(t: BatchObjective): tf.Tensor1D {
  return tf.tidy(() => tf.stack(t.klFloored === undefined || t.atFloor === undefined ? [t.loss, t.recon, t.kl] : [t.loss, t.recon, t.kl, t.klFloored, t.atFloor]) as tf.Tensor1D);
}
