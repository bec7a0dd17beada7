import * as tf from '@tensorflow/tfjs';
import type { BatchTensors } from '../../../data/batch-tensors.js';
import type { ChunkLogWeights, Vae } from '../../family.js';
import { bernoulliNllSamples, lossTerms } from '../../likelihood.js';
import { decodeLogits, encode, reparameterize } from '../../vae.js';

/** One z sample per image, eps [b, 1, d]: the reconstruction term and the closed-form KL (evaluation mode). */
export function gaussianElboTerms(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, eps: tf.Tensor3D): { recon: tf.Tensor1D; kl: tf.Tensor1D } {
  return tf.tidy(() => {
    const posterior = encode(vae, x, y, false);
    const e = tf.reshape(eps, [eps.shape[0], eps.shape[2]]) as tf.Tensor2D;
    const logits = decodeLogits(vae, reparameterize(posterior, e), y, false);
    const { recon, kl } = lossTerms(x, logits, posterior.mu, posterior.logVar);
    return { recon, kl };
  });
}

/**
 * log w = log p(x | z) + log p(z) - log q(z | x) of each sample: the posterior once per batch, then
 * z = mu + sigma eps decoded per chunk of samples.
 */
export function gaussianLogWeights(vae: Vae, batch: BatchTensors): ChunkLogWeights {
  const posterior = encode(vae, batch.x, batch.y, false);
  const m = batch.size;
  return {
    of(e) {
      const [, kc, d] = e.shape;
      const mu = tf.expandDims(posterior.mu, 1);
      const logVar = tf.expandDims(posterior.logVar, 1);
      const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), e)); // [m, kc, d]
      const y = batch.y === null ? null : (tf.reshape(tf.tile(tf.expandDims(batch.y, 1), [1, kc, 1]), [m * kc, -1]) as tf.Tensor2D);
      const logits = decodeLogits(vae, tf.reshape(z, [m * kc, d]) as tf.Tensor2D, y, false);
      const recon = bernoulliNllSamples(logits, batch.x, kc);
      // log p(z) - log q(z|x) per sample; the log(2 pi) terms cancel
      const logPz = tf.mul(tf.sum(tf.square(z), 2), -0.5);
      const logQz = tf.mul(tf.sum(tf.add(tf.square(e), logVar), 2), -0.5);
      return tf.sub(tf.sub(logPz, logQz), tf.reshape(recon, [m, kc])) as tf.Tensor2D;
    },
    dispose: () => tf.dispose([posterior.mu, posterior.logVar]),
  };
}
