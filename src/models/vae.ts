import * as tf from '@tensorflow/tfjs';
import type { Vae } from './family.js';
import type { Posterior } from './types.js';

/**
 * The model's maths as small tensor functions. `training` selects BatchNorm's batch statistics (and
 * updates its running statistics); evaluation uses the running statistics.
 */

/** A model's inputs: the tensor alone, or with the one-hot label for a cvae. */
export function modelInputs(vae: Vae, first: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor2D | tf.Tensor2D[] {
  if (vae.spec.kind === 'cvae') {
    if (y === null) throw new Error('a cvae needs the one-hot label');
    return [first, y];
  }
  return first;
}

export function encode(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, training = false): Posterior {
  const [mu, logVar] = vae.encoder.apply(modelInputs(vae, x, y), { training }) as tf.Tensor2D[];
  return { mu: mu!, logVar: logVar! };
}

/** Decoder logits; the pixel probabilities are their sigmoid. */
export function decodeLogits(vae: Vae, z: tf.Tensor2D, y: tf.Tensor2D | null, training = false): tf.Tensor2D {
  return vae.decoder.apply(modelInputs(vae, z, y), { training }) as tf.Tensor2D;
}

/** z = mu + exp(logVar / 2) * eps, with eps drawn by the caller (seeded). */
export function reparameterize(p: Posterior, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(p.mu, tf.mul(tf.exp(tf.mul(p.logVar, 0.5)), eps)));
}

/** Pixel probabilities decoded from z (evaluation mode). */
export function decode(vae: Vae, z: tf.Tensor2D, y: tf.Tensor2D | null = null): tf.Tensor2D {
  return tf.tidy(() => tf.sigmoid(decodeLogits(vae, z, y)));
}

/** Deterministic reconstruction probabilities, the path the model's reconstruction term decodes (its family's). */
export function reconstruct(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null = null): tf.Tensor2D {
  return vae.family.reconstruct(vae, x, y);
}

/** n decodings of codes drawn from the prior (its family's), seeded (labels for a cvae). */
export function samplePrior(vae: Vae, n: number, seed: number, y: tf.Tensor2D | null = null): tf.Tensor2D {
  return tf.tidy(() => decode(vae, vae.family.samplePrior(vae.spec, n, seed), y));
}

/** n codes from the standard normal prior N(0, I), seeded: the samplePrior of every family with that prior. */
export function standardNormalCodes(spec: { latentDim: number }, n: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([n, spec.latentDim], 0, 1, 'float32', seed);
}
