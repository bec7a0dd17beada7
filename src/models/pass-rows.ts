import { activeBackend } from '../backend/active.js';
import type { Vae } from './family.js';

/**
 * Rows (images, or images x samples) a forward pass may take so that no layer's output outgrows what the
 * device can bind: `requested` everywhere but on webgpu, where a conv model's 1,000-image evaluation pass
 * (200 MB activations) exceeds lavapipe's 128 MiB.
 */
export function rowsPerPass(vae: Vae, requested: number): number {
  const limit = activeBackend().bindingLimit();
  if (!Number.isFinite(limit)) return requested;
  return Math.max(1, Math.min(requested, Math.floor(limit / (4 * largestActivation(vae)))));
}

/** Floats per row of the widest layer output of the encoder or decoder. */
function largestActivation(vae: Vae): number {
  let widest = 1;
  for (const model of [vae.encoder, vae.decoder]) {
    for (const layer of model.layers) {
      const shapes = (Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]) as (number | null)[][];
      for (const shape of shapes) widest = Math.max(widest, shape.slice(1).reduce((a: number, d) => a * (d ?? 1), 1));
    }
  }
  return widest;
}
