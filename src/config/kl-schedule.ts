import type { LossConfig, WarmupConfig } from './schema.js';

/**
 * The KL weight of every optimizer step (loss.warmup), a pure function of where the step stands: a
 * resumed run recomputes the same weights from its checkpoint's epoch and step, with no state to restore.
 */

/** An optimizer step: its epoch (0-based), its index in that epoch, and the steps every epoch takes. */
export interface StepPosition {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
}

/** The loss of one step: the config's, with beta the step's own weight (the warm-up already applied). */
export type StepLoss = Omit<LossConfig, 'warmup'>;

/**
 * The fraction of loss.beta at a step: min(1, e / N) for {epochs: N} (e the step's epoch, so the weight
 * steps at epoch boundaries), min(1, t / N) for {steps: N} (t the steps taken before this one, all epochs).
 */
export function warmupFactor(warmup: WarmupConfig, at: StepPosition): number {
  const done = 'epochs' in warmup ? at.epoch : at.epoch * at.stepsPerEpoch + at.step;
  const length = 'epochs' in warmup ? warmup.epochs : warmup.steps;
  return Math.min(1, done / length);
}

/** The KL weight of a step: beta * min(1, t / N), or beta itself without a warm-up. */
export function betaAt(loss: Pick<LossConfig, 'beta' | 'warmup'>, at: StepPosition): number {
  return loss.warmup === null ? loss.beta : loss.beta * warmupFactor(loss.warmup, at);
}

/** The loss with its KL weight set to `beta` (a step's, or an epoch's for its test-set objective). */
export function withBeta(loss: LossConfig, beta: number): StepLoss {
  const { warmup: _, ...rest } = loss;
  return { ...rest, beta };
}

export function stepLoss(loss: LossConfig, at: StepPosition): StepLoss {
  return withBeta(loss, betaAt(loss, at));
}

/**
 * The KL weight of an epoch as its metrics report it: the mean over its training images of each step's
 * weight (the last batch may be smaller). For {epochs: N} it is the epoch's one weight.
 */
export function epochBeta(loss: Pick<LossConfig, 'beta' | 'warmup'>, epoch: number, { images, batchSize }: { images: number; batchSize: number }): number {
  if (loss.warmup === null) return loss.beta;
  const stepsPerEpoch = Math.ceil(images / batchSize);
  let sum = 0;
  for (let step = 0; step < stepsPerEpoch; step++) sum += betaAt(loss, { epoch, step, stepsPerEpoch }) * (Math.min(images, (step + 1) * batchSize) - step * batchSize);
  return sum / images;
}

/** Optimizer steps until the weight reaches beta: from this step on, the run minimises its full objective. */
export function warmupSteps(warmup: WarmupConfig, stepsPerEpoch: number): number {
  return 'epochs' in warmup ? warmup.epochs * stepsPerEpoch : warmup.steps;
}
