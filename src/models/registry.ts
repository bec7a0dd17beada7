import type { Vae } from './family.js';
import { familyOf } from './families/index.js';
import { setOutputBias } from './layers.js';
import type { VaeSpec } from './types.js';

/**
 * Builds a freshly initialised model of the spec's family (a cvae: `spec.kind`). `outputBias` is the
 * decoder's initial output bias, which model.outputBias data-mean needs (meanLogits): set here, once for
 * every family, on the decoder path's output layer (dec_logits).
 */
export function buildVae(spec: VaeSpec, seed: number, outputBias: Float32Array | null = null): Vae {
  const vae = familyOf(spec).build(spec, seed);
  if (spec.arch === 'mlp' && spec.outputBias === 'data-mean') {
    if (outputBias === null) throw new Error('model.outputBias data-mean: buildVae needs the bias (meanLogits of the training split)');
    setOutputBias(vae.decoder, outputBias);
  }
  return vae;
}

/** Every network of the model: layers shared between networks are released with the last of them. */
export function disposeVae(vae: Vae): void {
  for (const model of Object.values(vae.networks)) model.dispose();
}
