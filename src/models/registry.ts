import type { Vae } from './family.js';
import { familyOf } from './families/index.js';
import type { VaeSpec } from './types.js';

/**
 * Builds a freshly initialised model of the spec's family (a cvae: `spec.kind`). `outputBias` is the
 * decoder's initial output bias, which model.outputBias data-mean needs (meanLogits).
 */
export function buildVae(spec: VaeSpec, seed: number, outputBias: Float32Array | null = null): Vae {
  return familyOf(spec).build(spec, seed, outputBias);
}

/** Every network of the model: layers shared between networks are released with the last of them. */
export function disposeVae(vae: Vae): void {
  for (const model of Object.values(vae.networks)) model.dispose();
}
