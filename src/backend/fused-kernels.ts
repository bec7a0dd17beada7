import * as tf from '@tensorflow/tfjs';

/**
 * Kernels of our own that tfjs does not have, registered only by a backend that runs them fused (native):
 * the model layer asks for one by name and otherwise builds the same value from tfjs's ops.
 *
 * BernoulliNll: inputs {logits [R, P], x [R / samples, P]}, attrs {samples} -> [R], row r's
 *   sum_j softplus(l[r, j]) - l[r, j] x[r / samples, j].
 * BernoulliNllGrad: inputs {logits, x, dy [R]}, attrs {samples} -> [R, P], dy[r] (sigmoid(l) - x).
 */
export const BERNOULLI_NLL = 'VaelabBernoulliNll';
export const BERNOULLI_NLL_GRAD = 'VaelabBernoulliNllGrad';

/** Whether the active backend has kernel `name` registered. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
