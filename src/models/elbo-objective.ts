import * as tf from '@tensorflow/tfjs';
import type { LossConfig } from '../config/schema.js';
import type { StepLoss } from '../config/kl-schedule.js';
import type { BatchObjective } from './family.js';
import { gaussianKl, gaussianKlPerDim, type LossTerms } from './likelihood.js';
import type { Posterior } from './types.js';

// The objective's pieces that more than one family builds on, as small tensor functions.

type Weights = Pick<LossConfig, 'beta' | 'reconstructionWeight'>;

/** The ELBO's terms as the loss curves and tables name them (ModelFamily.termNames). */
export const ELBO_TERMS = {
  recon: 'Reconstruction',
  kl: 'KL',
  total: '−ELBO',
  meaning: "Reconstruction is the Bernoulli negative log-likelihood of the pixels, KL the divergence of the encoder's posterior from the N(0, I) prior, and −ELBO their sum, an upper bound on −log p(x).",
} as const;

/**
 * The training objective: mean over the batch of reconstructionWeight * recon + beta * kl (both weights 1
 * is the negative ELBO).
 */
export function objective(terms: LossTerms, weights: Weights): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.add(tf.mul(terms.recon, weights.reconstructionWeight), tf.mul(terms.kl, weights.beta))) as tf.Scalar);
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

/**
 * The ELBO-shaped objective from each image's reconstruction term (already averaged over its z samples)
 * and a Gaussian posterior: reconstructionWeight * recon + beta * KL, the KL floored per dimension with
 * free bits.
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

/** Stable log((1/k) sum_j exp(w[i, j])) over each row of [B, k]: logSumExp shifts by the row maximum. */
export function logMeanExpRows(logW: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const k = logW.shape[1];
    const lse = tf.logSumExp(logW, 1) as tf.Tensor1D;
    return k === 1 ? lse : tf.sub(lse, Math.log(k));
  });
}
