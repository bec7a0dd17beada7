import type * as tf from '@tensorflow/tfjs';
import type { ConvModelConfig, IntermediateConfig, MlpModelConfig } from '../config/schema.js';

/**
 * Every VAE variant is a pair of standard tfjs layers models, so a checkpoint loads in any tfjs program:
 * - encoder: x [B, 784] (+ one-hot y [B, classes] for a cvae) -> [mu, logVar], each [B, latentDim]
 * - decoder: z [B, latentDim] (+ one-hot y) -> logits [B, 784] (apply a sigmoid for pixel probabilities)
 * Sampling z stays outside the models (see reparameterize), so they hold no custom layers and the
 * encoder is deterministic.
 *
 * With a second stochastic layer h1 between x and z (model.intermediate), training and the likelihood
 * estimates need each conditional on its own (`intermediate`, sampled between them), and the pair above
 * is the deterministic path through h1's means that every figure draws: the encoder x -> mean of q(h1 | x)
 * -> q(z | h1); the decoder z -> mean of p(h1 | z) -> p(x | h1). Both pairs share their layers.
 */
export interface Vae {
  readonly spec: VaeSpec;
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly intermediate: Conditionals | null; // null: one stochastic layer
}

/** The four conditionals of a two-stochastic-layer model, each [mu, logVar] of a Gaussian but pX (logits). */
export interface Conditionals {
  readonly qH1: tf.LayersModel; // x (+ y) -> h1
  readonly qZ: tf.LayersModel; // h1 (+ y) -> z
  readonly pH1: tf.LayersModel; // z (+ y) -> h1
  readonly pX: tf.LayersModel; // h1 (+ y) -> logits of x
}

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

export type TwoLayerSpec = MlpSpec & { intermediate: IntermediateConfig };

/** The spec as a two-stochastic-layer one, or null when it has one stochastic layer. */
export function twoLayerSpec(spec: VaeSpec): TwoLayerSpec | null {
  if (spec.arch !== 'mlp') return null;
  const intermediate = spec.intermediate ?? null;
  return intermediate === null ? null : { ...spec, intermediate };
}

export interface Posterior {
  mu: tf.Tensor2D;
  logVar: tf.Tensor2D;
}
