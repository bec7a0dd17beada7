import type * as tf from '@tensorflow/tfjs';
import { VaelabError } from '../errors.js';
import { convDecoder, convEncoder } from './conv.js';
import { mlpDecoder, mlpEncoder, setOutputBias } from './mlp.js';
import type { Vae, VaeSpec } from './types.js';

function models(spec: VaeSpec, seed: number): { encoder: tf.LayersModel; decoder: tf.LayersModel } {
  switch (spec.arch) {
    case 'mlp':
      return { encoder: mlpEncoder(spec, seed), decoder: mlpDecoder(spec, seed + 1) };
    case 'conv':
      return { encoder: convEncoder(spec, seed), decoder: convDecoder(spec, seed + 1) };
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
    setOutputBias(vae.decoder, outputBias);
  }
  return vae;
}

export function disposeVae(vae: Vae): void {
  vae.encoder.dispose();
  vae.decoder.dispose();
}
