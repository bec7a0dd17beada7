import * as tf from '@tensorflow/tfjs';
import type { LossConfig } from '../config/schema.js';
import type { BatchObjective } from '../models/family.js';

type Weights = Pick<LossConfig, 'beta' | 'reconstructionWeight'>;

/** The objective reconstructionWeight * recon + beta * kl from term means already on the host. */
export function objectiveValue(recon: number, kl: number, weights: Weights): number {
  return weights.reconstructionWeight * recon + weights.beta * kl;
}

/** The free-bits KL (models/elbo-objective.ts flooredKl) from mean KL per dimension already on the host (a whole split's). */
export function flooredKlValue(klPerDim: readonly number[], floor: number): { kl: number; atFloor: number } {
  return { kl: klPerDim.reduce((s, v) => s + Math.max(v, floor), 0), atFloor: klPerDim.filter((v) => v < floor).length };
}

/** The means a step reads back, in one tensor: [loss, recon, kl] and, with free bits, [klFloored, atFloor]. */
export function stackTerms(t: BatchObjective): tf.Tensor1D {
  return tf.tidy(() => tf.stack(t.klFloored === undefined || t.atFloor === undefined ? [t.loss, t.recon, t.kl] : [t.loss, t.recon, t.kl, t.klFloored, t.atFloor]) as tf.Tensor1D);
}
