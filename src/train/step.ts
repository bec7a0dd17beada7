import * as tf from '@tensorflow/tfjs';
import { activeBackend } from '../backend/active.js';
import type { StepLoss } from '../config/kl-schedule.js';
import type { TrainConfig } from '../config/schema.js';
import type { StepResult, Vae } from '../models/family.js';
import type { BatchTensors } from '../data/batch-tensors.js';
import { stackTerms } from './loss.js';

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

/** Every weight once, from the models its family trains. */
export function trainableVariables(vae: Vae): tf.Variable[] {
  return vae.family.trainables(vae).flatMap((m) => m.trainableWeights).map((w) => w.read() as tf.Variable);
}

/** What a step needs besides the batch: its loss weights, its noise seed, and train.reduction (default mean). */
export interface StepOptions {
  weights: StepLoss;
  epsSeed: number;
  trainImages?: number; // the training set's size, for objectives that estimate the aggregate posterior
  reduction?: TrainConfig['reduction'];
}

/**
 * The step's objective and its gradient for every variable, with the batch means of its terms (stackTerms).
 * With reduction sum the differentiated objective is the batch mean times the batch's images.
 */
export function lossAndGradients(vae: Vae, variables: tf.Variable[], batch: BatchTensors, options: StepOptions): StepResult {
  const { weights, epsSeed, trainImages, reduction = 'mean' } = options;
  const o = { loss: weights, epsSeed, training: true, ...(trainImages === undefined ? {} : { trainImages }) };
  const fused = vae.family.fusedStep(vae, variables, batch, { ...o, reduction });
  if (fused !== null) return fused;
  let means: tf.Tensor1D | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const t = vae.family.objective(vae, batch.x, batch.y, o);
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
