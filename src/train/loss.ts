import * as tf from '@tensorflow/tfjs';
import type { LossConfig } from '../config/schema.js';

type Weights = Pick<LossConfig, 'beta' | 'reconstructionWeight'>;
import type { LossTerms } from '../models/likelihood.js';

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
