import type { TrainConfig } from './schema.js';

/**
 * The learning-rate schedules. iwae-paper is the one of Burda et al.'s code (yburda/iwae, experiments.py,
 * checkpoint1to8): stage i = 1..8 trains 3^(i-1) epochs at 1e-4 * round(10^(1 - (i-1)/7), 1), i.e. 1e-3,
 * 7.2e-4, 5.2e-4, 3.7e-4, 2.7e-4, 1.9e-4, 1.4e-4, 1e-4; here the first stage's rate is train.learningRate
 * (0.001 gives the paper's) and every stage is that times round(10^(1 - (i-1)/7), 1) / 10.
 */

export const IWAE_PAPER_STAGES = 8;

/** The stages a run trains: train.schedule.stages, or all 8 (0 for a constant schedule). */
export function stageCount(train: TrainConfig): number {
  return train.schedule.type === 'iwae-paper' ? (train.schedule.stages ?? IWAE_PAPER_STAGES) : 0;
}

/** Epochs of stage i (1-based) of the iwae-paper schedule. */
export function stageEpochs(stage: number): number {
  return 3 ** (stage - 1);
}

/** The learning rate of stage i (1-based) relative to the first: round(10^(1 - (i-1)/7), 1) / 10. */
export function stageFactor(stage: number): number {
  return Math.round(10 * 10 ** (1 - (stage - 1) / 7)) / 100;
}

/** Epochs the run trains in all. */
export function plannedEpochs(train: TrainConfig): number {
  if (train.schedule.type === 'constant') {
    if (train.epochs === null) throw new Error('a constant schedule needs train.epochs (the schema says so)');
    return train.epochs;
  }
  return (3 ** stageCount(train) - 1) / 2;
}

/** The 1-based stage that epoch `epoch` (0-based) belongs to: the first stage covers epoch 0, the second 1..3, ... */
export function stageOf(epoch: number): number {
  let stage = 1;
  let end = stageEpochs(1);
  while (epoch >= end) end += stageEpochs(++stage);
  return stage;
}

/** Whether epoch `epoch` (0-based) is the last of its stage (always false for a constant schedule). */
export function endsStage(train: TrainConfig, epoch: number): boolean {
  return train.schedule.type === 'iwae-paper' && stageOf(epoch + 1) !== stageOf(epoch);
}

/** The learning rate of epoch `epoch` (0-based). */
export function learningRateAt(train: TrainConfig, epoch: number): number {
  if (train.schedule.type === 'constant') return train.learningRate;
  return train.learningRate * stageFactor(stageOf(epoch));
}
