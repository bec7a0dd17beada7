import * as tf from '@tensorflow/tfjs';
import { BatchNorm } from './batch-norm.js';
import { Conv, Dense } from './fused-layers.js';

/**
 * Shared building blocks. Every weight initializer is seeded from (model seed, layer name) so the same
 * config gives the same initial weights on every run; layer names are explicit so checkpoints map
 * weights by name, independent of how many models a process has built before.
 */
export type WeightInit = 'pytorch' | 'glorot';

export class LayerFactory {
  constructor(
    private readonly seed: number,
    private readonly weightInit: WeightInit = 'pytorch',
  ) {}

  private seedFor(name: string): number {
    let h = this.seed ^ 0x9e3779b9;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    return h % 2 ** 31;
  }

  /**
   * PyTorch's default init (kaiming_uniform with a = sqrt(5): U(+-1/sqrt(fanIn))), zero biases. The
   * reference figures were measured with it; Glorot init ended the z=2 MLP ~2.5 nats/image worse
   * after 10 epochs (158.3 and 158.6 on two seeds, against 155.9). 'glorot' is Keras's default
   * (U(±sqrt(6 / (fanIn + fanOut)))), for the posts that trained with Keras.
   */
  private init(name: string): ReturnType<typeof tf.initializers.varianceScaling> {
    const seed = this.seedFor(name);
    if (this.weightInit === 'glorot') return tf.initializers.varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform', seed });
    return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
  }

  dense(name: string, units: number, activation: 'relu' | 'tanh' | 'linear' = 'linear'): tf.layers.Layer {
    return new Dense({ name, units, activation, kernelInitializer: this.init(name) });
  }

  conv(name: string, filters: number, activation: 'relu' | 'linear' = 'relu'): tf.layers.Layer {
    return new Conv({ name, filters, kernelSize: 3, padding: 'same', activation, kernelInitializer: this.init(name) });
  }

  /** PyTorch's defaults (momentum 0.1 in its convention, eps 1e-5), which the reference posts train with. */
  batchNorm(name: string): tf.layers.Layer {
    return new BatchNorm({ name, momentum: 0.9, epsilon: 1e-5 });
  }
}

/** Joins the one-hot label to a feature tensor when the model is conditional. */
export function withLabel(features: tf.SymbolicTensor, label: tf.SymbolicTensor | null, name: string): tf.SymbolicTensor {
  if (label === null) return features;
  return tf.layers.concatenate({ name }).apply([features, label]) as tf.SymbolicTensor;
}

export function inputs(
  xName: string,
  xSize: number,
  numClasses: number,
  conditional: boolean,
): { x: tf.SymbolicTensor; y: tf.SymbolicTensor | null; all: tf.SymbolicTensor[] } {
  const x = tf.input({ shape: [xSize], name: xName });
  const y = conditional ? tf.input({ shape: [numClasses], name: 'label' }) : null;
  return { x, y, all: y === null ? [x] : [x, y] };
}

/**
 * Every encoder ends the same way: linear mean and log-variance of z from the last hidden features. The
 * output order [mu, logVar] and the layer names are what encode() and saved checkpoints rely on.
 */
export function encoderModel(f: LayerFactory, h: tf.SymbolicTensor, latentDim: number, all: tf.SymbolicTensor[]): tf.LayersModel {
  const mu = f.dense('enc_mu', latentDim).apply(h) as tf.SymbolicTensor;
  const logVar = f.dense('enc_logvar', latentDim).apply(h) as tf.SymbolicTensor;
  return tf.model({ name: 'encoder', inputs: all, outputs: [mu, logVar] });
}

/** Sets the decoder's output bias (model.outputBias data-mean: the logits of the training mean). */
export function setOutputBias(decoder: tf.LayersModel, bias: Float32Array): void {
  const weights = decoder.getLayer('dec_logits').weights;
  const target = weights.find((w) => w.originalName.endsWith('bias'));
  if (target === undefined || target.shape[0] !== bias.length) throw new RangeError(`dec_logits has no bias of ${bias.length} values`);
  const value = tf.tensor1d(bias);
  target.write(value);
  value.dispose();
}
