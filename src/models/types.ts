import type * as tf from '@tensorflow/tfjs';
import type { ConvModelConfig, MlpModelConfig } from '../config/schema.js';

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
 * spec without `family` (written before it existed, or built in code) is the Gaussian VAE's; a family's
 * own keys are typed in its folder.
 */
type FamilyOptional<T> = Omit<T, 'family'> & { family?: string };
export type MlpSpec = FamilyOptional<MlpModelConfig> & ImageShape;
export type ConvSpec = FamilyOptional<ConvModelConfig> & ImageShape;
export type VaeSpec = MlpSpec | ConvSpec;

export interface Posterior {
  mu: tf.Tensor2D;
  logVar: tf.Tensor2D;
}
