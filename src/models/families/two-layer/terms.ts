import * as tf from '@tensorflow/tfjs';
import { bernoulliNllSamples } from '../../likelihood.js';
import type { Conditionals } from './spec.js';

/**
 * The log-weight of the two-stochastic-layer model (yburda/iwae, iwae.py log_weightsIq_samples) for k
 * samples of each of b images, shared by training, the ELBO and the IWAE estimate:
 *   h1 = mu(x) + sigma(x) eps1 ~ q(h1 | x),  z = mu(h1) + sigma(h1) eps2 ~ q(z | h1)
 *   log w = log p(x | h1) + log p(h1 | z) + log p(z) - log q(h1 | x) - log q(z | h1)
 * returned as recon = -log p(x | h1) and kl = log q(h1 | x) + log q(z | h1) - log p(h1 | z) - log p(z),
 * both [b, k], so log w = -(recon + kl). Every density is a sampled one: the KL has no closed form here.
 * log q of a reparameterised sample is -0.5 sum(log 2 pi + logVar + eps^2); the log 2 pi terms of q and p
 * cancel, one per dimension on each side.
 */
export interface SampleTerms {
  recon: tf.Tensor2D;
  kl: tf.Tensor2D;
}

/** eps [b, k, d1 + d2] (noiseWidth): h1's noise in the first d1 columns, z's in the rest. */
export function twoLayerTerms(c: Conditionals, x: tf.Tensor2D, y: tf.Tensor2D | null, eps: tf.Tensor3D, training: boolean): SampleTerms {
  return tf.tidy(() => {
    const [b, k] = eps.shape;
    const call = (model: tf.LayersModel, input: tf.Tensor2D, label: tf.Tensor2D | null) => model.apply(label === null ? input : [input, label], { training });
    const gaussian = (model: tf.LayersModel, input: tf.Tensor2D, label: tf.Tensor2D | null) => call(model, input, label) as tf.Tensor2D[];
    const [mu1, logVar1] = gaussian(c.qH1, x, y) as [tf.Tensor2D, tf.Tensor2D];
    const d1 = mu1.shape[1];
    const d2 = eps.shape[2] - d1;
    const flat = (t: tf.Tensor, d: number) => tf.reshape(t, [b * k, d]) as tf.Tensor2D;
    const e1 = tf.slice(eps, [0, 0, 0], [b, k, d1]);
    const e2 = flat(tf.slice(eps, [0, 0, d1], [b, k, d2]), d2);
    const h1 = flat(tf.add(tf.expandDims(mu1, 1), tf.mul(tf.exp(tf.mul(tf.expandDims(logVar1, 1), 0.5)), e1)), d1);
    const yk = y === null || k === 1 ? y : (flat(tf.tile(tf.expandDims(y, 1), [1, k, 1]), y.shape[1]) as tf.Tensor2D);
    const [mu2, logVar2] = gaussian(c.qZ, h1, yk) as [tf.Tensor2D, tf.Tensor2D];
    const z = tf.add(mu2, tf.mul(tf.exp(tf.mul(logVar2, 0.5)), e2)) as tf.Tensor2D;
    const [muP, logVarP] = gaussian(c.pH1, z, yk) as [tf.Tensor2D, tf.Tensor2D];
    const logits = call(c.pX, h1, yk) as tf.Tensor2D;
    const recon = tf.reshape(bernoulliNllSamples(logits, x, k), [b, k]) as tf.Tensor2D;
    // log q(h1 | x) - log p(h1 | z) = 0.5 sum(logVarP - logVar1 - eps1^2 + (h1 - muP)^2 / exp(logVarP))
    const lv1 = flat(tf.tile(tf.expandDims(logVar1, 1), [1, k, 1]), d1);
    const klH1 = tf.sum(tf.add(tf.sub(tf.sub(logVarP, lv1), tf.square(flat(e1, d1))), tf.mul(tf.square(tf.sub(h1, muP)), tf.exp(tf.neg(logVarP)))), 1);
    // log q(z | h1) - log p(z) = 0.5 sum(z^2 - eps2^2 - logVar2)
    const klZ = tf.sum(tf.sub(tf.sub(tf.square(z), tf.square(e2)), logVar2), 1);
    return { recon, kl: tf.reshape(tf.mul(tf.add(klH1, klZ), 0.5), [b, k]) as tf.Tensor2D };
  });
}
