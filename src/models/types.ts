import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config/schema.js';

/**
 * Every VAE variant is a pair of standard tfjs layers models, so a checkpoint loads in any tfjs program:
 * - encoder: x [B, 784] (+ one-hot y [B, classes] for a cvae) -> [mu, logVar], each [B, latentDim]
 * - decoder: z [B, latentDim] (+ one-hot y) -> logits [B, 784] (apply a sigmoid for pixel probabilities)
 * Sampling z stays outside the models (see reparameterize), so they hold no custom layers and the
 * encoder is deterministic.
 */
export interface Vae {
  readonly spec: VaeSpec;
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
}

/** The data's shape, as a model needs it. */
export interface ImageShape {
  imageSize: number; // pixels per image (784 for 28x28)
  height: number;
  width: number;
  numClasses: number; // width of the one-hot label input (cvae)
}

/** What it takes to rebuild a model's structure: the model section of the config plus the data's shape. */
export type VaeSpec = ModelConfig & ImageShape;
export type MlpSpec = Extract<VaeSpec, { arch: 'mlp' }>;
export type ConvSpec = Extract<VaeSpec, { arch: 'conv' }>;

export interface Posterior {
  mu: tf.Tensor2D;
  logVar: tf.Tensor2D;
}
