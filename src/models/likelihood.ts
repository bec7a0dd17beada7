import * as tf from '@tensorflow/tfjs';
import { BERNOULLI_NLL, BERNOULLI_NLL_GRAD, hasKernel } from '../backend/fused-kernels.js';

// The model's likelihood and prior terms, shared by training (the objective) and evaluation (ELBO, IWAE).

/** Per-image loss terms in nats: both [B]. */
export interface LossTerms {
  recon: tf.Tensor1D;
  kl: tf.Tensor1D;
}

/**
 * Bernoulli negative log-likelihood summed over pixels, from logits l (stable form of binary
 * cross-entropy: relu(l) - l*x + log(1 + exp(-|l|)), never log(0)).
 */
export function bernoulliNll(logits: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  if (hasKernel(BERNOULLI_NLL)) return fusedBernoulliNll(logits, x, 1);
  return tf.tidy(() => {
    const perPixel = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.sum(perPixel, 1) as tf.Tensor1D;
  });
}

/**
 * Bernoulli negative log-likelihood of each of k decodings of each of m images: logits [m*k, P], x [m, P]
 * -> [m*k]. softplus(l) - l*x summed over pixels, with the l.x sum done as one batched product instead of
 * repeating x k times: the IWAE estimate decodes a million rows, and this keeps it to one pass over the logits.
 */
export function bernoulliNllSamples(logits: tf.Tensor2D, x: tf.Tensor2D, k: number): tf.Tensor1D {
  if (hasKernel(BERNOULLI_NLL)) return fusedBernoulliNll(logits, x, k);
  return tf.tidy(() => {
    const [m, p] = x.shape;
    const dot = tf.matMul(tf.reshape(logits, [m, k, p]), tf.reshape(x, [m, p, 1]));
    return tf.sub(tf.sum(tf.softplus(logits), 1), tf.reshape(dot, [m * k])) as tf.Tensor1D;
  });
}

/**
 * Both of the above in one kernel forward and one backward, where the backend has them (native: the
 * composite spends 26 passes over the logits per training step). x is data: no gradient reaches it.
 */
function fusedBernoulliNll(logits: tf.Tensor2D, x: tf.Tensor2D, samples: number): tf.Tensor1D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [l, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([l]);
    return {
      value: tf.engine().runKernel(BERNOULLI_NLL, { logits: l, x }, { samples }) as tf.Tensor1D,
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.engine().runKernel(BERNOULLI_NLL_GRAD, { logits: saved!, x, dy }, { samples }) as tf.Tensor,
    };
  });
  return op(logits) as tf.Tensor1D;
}

/** Closed-form KL(N(mu, exp(logVar)) || N(0, I)) summed over latent dimensions. */
export function gaussianKl(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const perDim = tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1));
    return tf.mul(tf.sum(perDim, 1), 0.5) as tf.Tensor1D;
  });
}

/**
 * The same KL per image and latent dimension, [B, D]: free bits floor each dimension. gaussianKl keeps its
 * own ops so the objective without free bits stays bit for bit what it was.
 */
export function gaussianKlPerDim(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1)), 0.5));
}

export function lossTerms(x: tf.Tensor2D, logits: tf.Tensor2D, mu: tf.Tensor2D, logVar: tf.Tensor2D): LossTerms {
  return { recon: bernoulliNll(logits, x), kl: gaussianKl(mu, logVar) };
}
