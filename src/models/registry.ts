import type * as tf from '@tensorflow/tfjs';
import { VaelabError } from '../errors.js';
import { convDecoder, convEncoder } from './conv.js';
import { mlpDecoder, mlpEncoder } from './mlp.js';
import type { Vae, VaeSpec } from './types.js';

type Factory = (spec: VaeSpec, seed: number) => tf.LayersModel;

const ARCHS: Record<VaeSpec['arch'], { encoder: Factory; decoder: Factory }> = {
  mlp: { encoder: mlpEncoder, decoder: mlpDecoder },
  conv: { encoder: convEncoder, decoder: convDecoder },
};

/** Builds a freshly initialised VAE (or CVAE: `spec.kind`) for the architecture named in the spec. */
export function buildVae(spec: VaeSpec, seed: number): Vae {
  if (spec.arch === 'conv' && (spec.height % 4 !== 0 || spec.width % 4 !== 0)) {
    throw new VaelabError(`model.arch conv needs image sides divisible by 4, the data has ${spec.height}x${spec.width}`);
  }
  const arch = ARCHS[spec.arch];
  return { spec, encoder: arch.encoder(spec, seed), decoder: arch.decoder(spec, seed + 1) };
}

export function disposeVae(vae: Vae): void {
  vae.encoder.dispose();
  vae.decoder.dispose();
}
