import * as tf from '@tensorflow/tfjs';
import type { StepLoss } from '../config/kl-schedule.js';
import type { Split } from '../data/datasets.js';
import { latentUsage } from '../eval/active-units.js';
import { elboTerms, meanAndStdError } from '../eval/elbo.js';
import { encode } from '../models/vae.js';
import type { Vae } from '../models/family.js';
import type { LossMeans } from '../run/run-dir.js';
import { splitBatches } from '../data/batch-tensors.js';
import { flooredKlValue, objectiveValue } from './loss.js';
import { activeBackend } from '../backend/active.js';
import { rowsPerPass } from '../models/pass-rows.js';

/**
 * Loss terms per image over a whole split (see elboTerms: evaluation mode, one seeded z sample per
 * image), averaged: the numbers logged every epoch. `loss` weighs them as `weights` says (the epoch's
 * beta); with free bits, KL_d is averaged over the whole split, the split being the minibatch.
 */
export async function evaluate(vae: Vae, split: Split, { weights, batchSize, seed }: { weights: StepLoss; batchSize: number; seed: number }): Promise<LossMeans> {
  const terms = await elboTerms(vae, split, { batchSize, seed });
  const recon = meanAndStdError(terms.recon).mean;
  const kl = meanAndStdError(terms.kl).mean;
  if (weights.freeBits === null) return { recon, kl, negElbo: recon + kl, loss: objectiveValue(recon, kl, weights) };
  const { mu, logVar } = await encodeSplit(vae, split, batchSize);
  // latentUsage's KL per dimension is the one the report lists; its threshold plays no part here
  const floored = flooredKlValue(latentUsage(mu, logVar, split.count, vae.spec.latentDim, 0).klPerDim, weights.freeBits);
  return { recon, kl, negElbo: recon + kl, loss: objectiveValue(recon, floored.kl, weights), klFloored: floored.kl, dimsAtFloor: floored.atFloor };
}

/** Posterior means and log-variances of every image of a split, in order (for the latents file). */
export async function encodeSplit(vae: Vae, split: Split, batchSize: number): Promise<{ mu: Float32Array; logVar: Float32Array }> {
  const d = vae.spec.latentDim;
  const mu = new Float32Array(split.count * d);
  const logVar = new Float32Array(split.count * d);
  for (const batch of splitBatches(split, split.count, rowsPerPass(vae, batchSize), vae.spec)) {
    const p = encode(vae, batch.x, batch.y, false);
    mu.set(await p.mu.data(), batch.start * d);
    logVar.set(await p.logVar.data(), batch.start * d);
    tf.dispose([p.mu, p.logVar]);
  }
  activeBackend().assertHealthy('encoding a split');
  return { mu, logVar };
}
