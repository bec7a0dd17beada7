import type * as tf from '@tensorflow/tfjs';
import { VaelabError } from '../errors.js';
import { convDecoder, convEncoder } from './conv.js';
import { mlpDecoder, mlpEncoder, setOutputBias } from './mlp.js';
import { CONDITIONALS, twoLayerModels } from './two-layer.js';
import { twoLayerSpec, type Conditionals, type Vae, type VaeSpec } from './types.js';

function models(spec: VaeSpec, seed: number): { encoder: tf.LayersModel; decoder: tf.LayersModel; intermediate: Conditionals | null } {
  switch (spec.arch) {
    case 'mlp': {
      const two = twoLayerSpec(spec);
      if (two !== null) return twoLayerModels(two, seed);
      return { encoder: mlpEncoder(spec, seed), decoder: mlpDecoder(spec, seed + 1), intermediate: null };
    }
    case 'conv':
      return { encoder: convEncoder(spec, seed), decoder: convDecoder(spec, seed + 1), intermediate: null };
  }
}

/**
 * Builds a freshly initialised VAE (or CVAE: `spec.kind`) for the architecture named in the spec.
 * `outputBias` is the decoder's initial output bias, which model.outputBias data-mean needs (meanLogits).
 */
export function buildVae(spec: VaeSpec, seed: number, outputBias: Float32Array | null = null): Vae {
  if (spec.arch === 'conv' && (spec.height % 4 !== 0 || spec.width % 4 !== 0)) {
    throw new VaelabError(`model.arch conv needs image sides divisible by 4, the data has ${spec.height}x${spec.width}`);
  }
  const vae = { spec, ...models(spec, seed) };
  if (spec.arch === 'mlp' && spec.outputBias === 'data-mean') {
    if (outputBias === null) throw new Error('model.outputBias data-mean: buildVae needs the bias (meanLogits of the training split)');
    setOutputBias(vae.decoder, outputBias); // a two-layer model's decoder path holds p(x | h1)'s output layer
  }
  return vae;
}

/** Every model of the VAE: layers shared between a path and a conditional are released with the last of them. */
export function disposeVae(vae: Vae): void {
  vae.encoder.dispose();
  vae.decoder.dispose();
  if (vae.intermediate !== null) for (const name of CONDITIONALS) vae.intermediate[name].dispose();
}
