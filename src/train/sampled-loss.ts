import * as tf from '@tensorflow/tfjs';
import type { StepLoss } from '../config/kl-schedule.js';
import type { Objective } from '../config/loss-schema.js';
import { bernoulliNll } from '../models/likelihood.js';
import { decodeLogits, encode } from '../models/vae.js';
import { noiseWidth, twoLayerTerms } from '../models/two-layer-terms.js';
import { twoLayerSpec, type Conditionals, type Vae } from '../models/types.js';
import { elboObjective, type BatchObjective } from './loss.js';

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
export type SampledTerms = BatchObjective;

/** Stable log((1/k) sum_j exp(w[i, j])) over each row of [B, k]: logSumExp shifts by the row maximum. */
export function logMeanExpRows(logW: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const k = logW.shape[1];
    const lse = tf.logSumExp(logW, 1) as tf.Tensor1D;
    return k === 1 ? lse : tf.sub(lse, Math.log(k));
  });
}

type SampledOptions = { loss: StepLoss; epsSeed: number; training: boolean };

export function sampledTerms(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: SampledOptions): SampledTerms {
  const two = twoLayerSpec(vae.spec);
  if (vae.intermediate !== null && two !== null) return twoLayerObjective(vae.intermediate, noiseWidth(two), x, y, o);
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
  posterior: ReturnType<typeof encode>;
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
} satisfies Record<Objective, (s: OneLayerSamples) => SampledTerms>;

/**
 * Two stochastic layers (model.intermediate): every term sampled (twoLayerTerms), the paper's VAE and IWAE
 * alike. elbo: the mean over samples and images of reconstructionWeight * recon + beta * kl, written so that
 * with both weights 1 and k = 1 it is the IWAE bound's value to the last bit.
 */
function twoLayerObjective(c: Conditionals, width: number, x: tf.Tensor2D, y: tf.Tensor2D | null, o: SampledOptions): SampledTerms {
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
