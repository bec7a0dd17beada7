import * as tf from '@tensorflow/tfjs';
import { OBJECTIVE_TRAITS } from '../../../config/objective.js';
import type { Objective } from '../../../config/loss-schema.js';
import type { StepLoss } from '../../../config/kl-schedule.js';
import { elboObjective, logMeanExpRows } from '../../elbo-objective.js';
import type { BatchObjective, ObjectiveOptions, Vae } from '../../family.js';
import { bernoulliNll, gaussianKl } from '../../likelihood.js';
import type { Posterior } from '../../types.js';
import { decodeLogits, encode, reparameterize } from '../../vae.js';

/**
 * A Gaussian VAE's objective for a batch. One z sample of an ELBO-shaped objective takes the closed-form
 * KL and a single decoding; k samples (loss.samples) or an objective of every sample's log weight take
 * the sampled way (sampledTerms).
 */
export function gaussianObjective(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): BatchObjective {
  const sampled = OBJECTIVE_TRAITS[o.loss.objective].perSampleWeights || o.loss.samples > 1;
  return sampled ? sampledTerms(vae, x, y, o) : singleSample(vae, x, y, o);
}

/** The one-sample ELBO objective of a batch, its KL in closed form. */
function singleSample(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): BatchObjective {
  const { posterior, recon } = oneCode(vae, x, y, o);
  return elboObjective(recon, posterior, o.loss);
}

/** One code per image, z = mu + sigma eps (eps from o.epsSeed), and each image's reconstruction term [b]. */
function oneCode(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): { posterior: Posterior; z: tf.Tensor2D; recon: tf.Tensor1D } {
  const posterior = encode(vae, x, y, o.training);
  const eps = tf.randomNormal(posterior.mu.shape, 0, 1, 'float32', o.epsSeed) as tf.Tensor2D;
  const z = reparameterize(posterior, eps);
  return { posterior, z, recon: bernoulliNll(decodeLogits(vae, z, y, o.training), x) };
}

/**
 * The objectives over k z samples per image (loss.samples), from Burda et al.'s code (yburda/iwae,
 * iwae.py, gradIminibatch_srng), with every density summed over pixels and latent dimensions:
 *   log w_j = log p(x | z_j) + log p(z_j) - log q(z_j | x),  z_j = mu + sigma * eps_j
 *   iwae: the bound L_k = log (1/k) sum_j w_j, as max + log(mean(exp(log w - max))), so k = 1 is log w_1
 *         exactly and no weight overflows or underflows
 *   elbo: recon averaged over the k samples + the closed-form KL (the paper's VAE averages log w_j, whose
 *         KL part is sampled; the expectation is the same, the variance lower), weighted and floored as
 *         with one sample (elboObjective)
 * Returned as batch means in nats: loss (what is minimised), recon (mean over images and samples) and kl
 * (the closed form for elbo; for iwae the sampled log q - log p, so recon + kl is the k-sample ELBO).
 */
export function sampledTerms(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): BatchObjective {
  return tf.tidy(() => {
    const k = o.loss.samples;
    const [b] = x.shape;
    const posterior = encode(vae, x, y, o.training);
    const d = posterior.mu.shape[1];
    const eps = tf.randomNormal([b, k, d], 0, 1, 'float32', o.epsSeed);
    const logVar = tf.expandDims(posterior.logVar, 1);
    const z = tf.add(tf.expandDims(posterior.mu, 1), tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)); // [b, k, d]
    const repeat = <T extends tf.Tensor2D>(t: T): T => (k === 1 ? t : (tf.reshape(tf.tile(tf.expandDims(t, 1), [1, k, 1]), [b * k, -1]) as T));
    const logits = decodeLogits(vae, tf.reshape(z, [b * k, d]) as tf.Tensor2D, y === null ? null : repeat(y), o.training);
    const recon = tf.reshape(bernoulliNll(logits, repeat(x)), [b, k]) as tf.Tensor2D; // -log p(x | z_j)
    return ONE_LAYER[o.loss.objective]({ recon, z, eps, logVar, posterior, loss: o.loss });
  });
}

/** One stochastic layer's samples: -log p(x | z_j) [b, k], z and eps [b, k, d], logVar [b, 1, d]. */
interface OneLayerSamples {
  recon: tf.Tensor2D;
  z: tf.Tensor;
  eps: tf.Tensor;
  logVar: tf.Tensor;
  posterior: Posterior;
  loss: StepLoss;
}

/** Each objective from one stochastic layer's samples (inside the caller's tidy). */
const ONE_LAYER = {
  elbo: ({ recon, posterior, loss }) => elboObjective(tf.mean(recon, 1) as tf.Tensor1D, posterior, loss),
  iwae: ({ recon, z, eps, logVar }) => {
    // log q(z | x) - log p(z) = 0.5 sum_d (z^2 - eps^2 - logVar); the log(2 pi) terms cancel
    const klSampled = tf.mul(tf.sum(tf.sub(tf.sub(tf.square(z), tf.square(eps)), logVar), 2), 0.5) as tf.Tensor2D;
    const bound = logMeanExpRows(tf.neg(tf.add(recon, klSampled)) as tf.Tensor2D);
    return { loss: tf.neg(tf.mean(bound)) as tf.Scalar, recon: tf.mean(recon) as tf.Scalar, kl: tf.mean(klSampled) as tf.Scalar };
  },
} satisfies Record<Objective, (s: OneLayerSamples) => BatchObjective>;

/**
 * oneCode with the batch means of the reconstruction term and the closed-form KL: what a family that
 * reweighs the Gaussian VAE's objective builds on. Inside the caller's tidy.
 */
export function oneSampleTerms(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): { posterior: Posterior; z: tf.Tensor2D; recon: tf.Scalar; kl: tf.Scalar } {
  const { posterior, z, recon } = oneCode(vae, x, y, o);
  return { posterior, z, recon: tf.mean(recon) as tf.Scalar, kl: tf.mean(gaussianKl(posterior.mu, posterior.logVar)) as tf.Scalar };
}
