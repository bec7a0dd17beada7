import type * as tf from '@tensorflow/tfjs';
import type { ConvModelConfig, IntermediateConfig, MlpModelConfig } from '../config/schema.js';

// The shapes a model family is built from (family.ts has the model itself).

/** The data's shape, as a model needs it. */
export interface ImageShape {
  imageSize: number; // pixels per image (784 for 28x28)
  height: number;
  width: number;
  numClasses: number; // width of the one-hot label input (cvae)
}

/**
 * What it takes to rebuild a model's structure: the model section of the config plus the data's shape. A
 * spec without `intermediate` (written before it existed, or built in code) has one stochastic layer.
 */
export type MlpSpec = Omit<MlpModelConfig, 'intermediate'> & { intermediate?: IntermediateConfig | null } & ImageShape;
export type ConvSpec = ConvModelConfig & ImageShape;
export type VaeSpec = MlpSpec | ConvSpec;

export interface Posterior {
  mu: tf.Tensor2D;
  logVar: tf.Tensor2D;
}
