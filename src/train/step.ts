import * as tf from '@tensorflow/tfjs';
import { activeBackend } from '../backend/active.js';
import type { StepLoss } from '../config/kl-schedule.js';
import type { TrainConfig } from '../config/schema.js';
import { decodeLogits, encode, reparameterize } from '../models/vae.js';
import { CONDITIONALS } from '../models/two-layer.js';
import type { Vae } from '../models/types.js';
import type { BatchTensors } from '../data/batch-tensors.js';
import { bernoulliNll } from '../models/likelihood.js';
import { elboObjective, stackTerms, type BatchObjective } from './loss.js';
import { fusedElbo } from './fused-elbo.js';
import { sampledTerms } from './sampled-loss.js';
import { OBJECTIVE_TRAITS } from '../config/objective.js';

/** Batch means of one step's loss terms, read back from the device; klFloored and atFloor with free bits. */
export interface StepTerms {
  loss: number;
  recon: number;
  kl: number;
  klFloored?: number;
  atFloor?: number;
}

/** What a step updates: the model, its optimizer, and the variables the gradients are taken for. */
export interface Learner {
  vae: Vae;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
}

/** Every weight once: with two stochastic layers those of the four conditionals, which the paths share but not all of. */
export function trainableVariables(vae: Vae): tf.Variable[] {
  const models = vae.intermediate === null ? [vae.encoder, vae.decoder] : CONDITIONALS.map((name) => vae.intermediate![name]);
  return models.flatMap((m) => m.trainableWeights).map((w) => w.read() as tf.Variable);
}

/** What a step needs besides the batch: its loss weights, its noise seed, and train.reduction (default mean). */
export interface StepOptions {
  weights: StepLoss;
  epsSeed: number;
  reduction?: TrainConfig['reduction'];
}

/**
 * The step's objective and its gradient for every variable, with the batch means of its terms (stackTerms).
 * With reduction sum the differentiated objective is the batch mean times the batch's images.
 */
export function lossAndGradients(vae: Vae, variables: tf.Variable[], batch: BatchTensors, options: StepOptions): { value: tf.Scalar; grads: tf.NamedTensorMap; means: tf.Tensor1D } {
  const fused = fusedElbo(vae, variables, batch, options);
  if (fused !== null) return fused;
  const { weights, epsSeed, reduction = 'mean' } = options;
  let means: tf.Tensor1D | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const sampled = OBJECTIVE_TRAITS[weights.objective].perSampleWeights || weights.samples > 1 || vae.intermediate !== null;
    const t = sampled ? sampledTerms(vae, batch.x, batch.y, { loss: weights, epsSeed, training: true }) : singleSample(vae, batch, weights, epsSeed);
    means = tf.keep(stackTerms(t));
    return reduction === 'sum' ? (tf.mul(t.loss, batch.size) as tf.Scalar) : t.loss;
  }, variables);
  return { value, grads, means: means as unknown as tf.Tensor1D };
}

/**
 * One optimizer step. The gradients are applied only when every term is finite, so a diverging step
 * leaves the weights as they were and the caller can stop with the last good state. Returns the terms
 * (the caller checks them) and whether the step was applied.
 */
export async function trainStep(
  { vae, optimizer, variables }: Learner,
  batch: BatchTensors,
  options: StepOptions,
): Promise<{ terms: StepTerms; applied: boolean }> {
  const { value, grads, means } = lossAndGradients(vae, variables, batch, options);
  const [loss, recon, kl, klFloored, atFloor] = await means.data();
  means.dispose();
  activeBackend().assertHealthy('a training step');
  value.dispose();
  const terms: StepTerms = { loss: loss!, recon: recon!, kl: kl!, ...(klFloored === undefined ? {} : { klFloored, atFloor: atFloor! }) };
  const applied = Number.isFinite(terms.loss) && Number.isFinite(terms.recon) && Number.isFinite(terms.kl);
  if (applied) optimizer.applyGradients(grads);
  tf.dispose(grads);
  return { terms, applied };
}

/** The one-sample ELBO objective of a batch, its KL in closed form. */
function singleSample(vae: Vae, batch: BatchTensors, weights: StepLoss, epsSeed: number): BatchObjective {
  const posterior = encode(vae, batch.x, batch.y, true);
  const eps = tf.randomNormal(posterior.mu.shape, 0, 1, 'float32', epsSeed) as tf.Tensor2D;
  const logits = decodeLogits(vae, reparameterize(posterior, eps), batch.y, true);
  return elboObjective(bernoulliNll(logits, batch.x), posterior, weights);
}
