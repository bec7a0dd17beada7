import * as tf from '@tensorflow/tfjs';
import { LayerFactory } from '../../models/layers.js';

/**
 * The reference classifier: a small conv net whose penultimate layer is the feature space of the sample
 * quality metrics (the Fréchet distance, precision and recall). Small on purpose: its weights live in the
 * repository (about 400 kB), and a run's evaluation passes tens of thousands of images through it.
 *
 *   x [B, P] -> 28x28x1 -> conv3x3 16 ReLU -> maxpool 2 -> conv3x3 32 ReLU -> maxpool 2 -> flatten
 *   -> dense 64 ReLU ("features") -> dense classes (logits)
 */
export const FEATURES_LAYER = 'features';
export const FEATURE_DIM = 64;

export function classifierNetwork(seed: number, height: number, width: number, classes: number): tf.LayersModel {
  const f = new LayerFactory(seed, 'pytorch');
  const x = tf.input({ shape: [height * width], name: 'image' });
  let h = tf.layers.reshape({ name: 'to_image', targetShape: [height, width, 1] }).apply(x) as tf.SymbolicTensor;
  h = f.conv('conv_1', 16).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ name: 'pool_1', poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = f.conv('conv_2', 32).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ name: 'pool_2', poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
  h = f.dense(FEATURES_LAYER, FEATURE_DIM, 'relu').apply(h) as tf.SymbolicTensor;
  const logits = f.dense('logits', classes).apply(h) as tf.SymbolicTensor;
  return tf.model({ name: 'classifier', inputs: x, outputs: logits });
}

/** The same network cut at its features layer, sharing the weights: images -> [B, FEATURE_DIM]. */
export function featureModel(classifier: tf.LayersModel): tf.LayersModel {
  return tf.model({ name: 'classifier_features', inputs: classifier.inputs, outputs: classifier.getLayer(FEATURES_LAYER).output as tf.SymbolicTensor });
}
