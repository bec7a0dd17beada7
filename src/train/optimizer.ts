import * as tf from '@tensorflow/tfjs';

/** Adam with PyTorch's epsilon, the setting of the reference figures we compare against. */
export function createAdam(learningRate: number): tf.AdamOptimizer {
  return tf.train.adam(learningRate, 0.9, 0.999, 1e-8) as tf.AdamOptimizer;
}
