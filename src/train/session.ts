import { hostname } from 'node:os';
import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type pino from 'pino';
import { selectBackend, type BackendChoice } from '../backend/select.js';
import type { Config } from '../config/schema.js';
import { batchCount } from '../data/batches.js';
import { meanLogits, prepareDataset } from '../data/binarize.js';
import { loadDataset, type Dataset } from '../data/datasets.js';
import { VaelabError } from '../errors.js';
import { buildVae, disposeVae } from '../models/registry.js';
import type { VaeSpec } from '../models/types.js';
import { CHECKPOINT_FORMAT, hasCheckpoint, loadVae, readOptimizerWeights, readState, saveCheckpoint, type EpochSums, type TrainState } from '../run/checkpoint.js';
import { adamPowers, restoreAdam } from '../run/optimizer-state.js';
import { updateRunInfo, type RunInfo } from '../run/run-dir.js';
import { createAdam, type TrainOptimizer } from './optimizer.js';
import { trainableVariables, type Learner } from './step.js';

/** Everything one training session works with, from the first step it takes to the end of the run. */
export interface TrainSession {
  config: Config;
  runDir: string;
  log: pino.Logger;
  backend: BackendChoice;
  dataset: Dataset;
  spec: VaeSpec;
  learner: Learner & { optimizer: TrainOptimizer };
  ckpt: string; // the checkpoint folder
  start: TrainState; // where this session starts: epoch 0, or the checkpoint's epoch and step
  steps: number; // optimizer steps per epoch
  /** Seconds since the run began, summed over sessions. */
  wall(): number;
}

export function specFor(config: Config, dataset: Dataset): VaeSpec {
  const { height, width, numClasses } = dataset;
  return { ...config.model, imageSize: height * width, height, width, numClasses };
}

export function zeroSums(): EpochSums {
  return { recon: 0, kl: 0, count: 0, seconds: 0 };
}

export interface OpenOptions {
  log: pino.Logger;
  wall: () => number; // seconds since the run began, summed over sessions
  dataset?: Dataset;
  baseDir: string;
}

/**
 * Starts or resumes: picks the backend, loads the data, and builds a fresh model (seeded) or loads the
 * checkpoint's, with Adam's state, refusing a checkpoint of another model. Marks the run running.
 */
export async function openSession(config: Config, runDir: string, { log, wall, dataset: given, baseDir }: OpenOptions): Promise<TrainSession> {
  const backend = await selectBackend(config.backend, (msg) => log.info(msg));
  const optimizer = createAdam(config.train.learningRate, config.train.adam);
  let vae = null;
  try {
    const dataset = prepareDataset(given ?? (await loadDataset(config.data, { baseDir })), config.data);
    log.info(`data: ${dataset.source}; ${dataset.train.count} training and ${dataset.test.count} test images`);
    const spec = specFor(config, dataset);
    const ckpt = join(runDir, 'checkpoint');
    let start: TrainState;
    if (hasCheckpoint(ckpt)) {
      start = readState(ckpt);
      checkSameModel(start.spec, spec, ckpt);
      vae = await loadVae(ckpt);
      await restoreAdam(optimizer, readOptimizerWeights(ckpt), start.adam);
      log.info(`resuming at epoch ${start.epoch + 1}, step ${start.step} from ${ckpt}`);
    } else {
      vae = buildVae(spec, config.seed, spec.arch === 'mlp' && spec.outputBias === 'data-mean' ? meanLogits(dataset.train) : null);
      start = { formatVersion: CHECKPOINT_FORMAT, spec, epoch: 0, step: 0, sums: zeroSums(), trainSeconds: 0, adam: await adamPowers(optimizer), savedAt: '' };
    }
    updateRunInfo(runDir, {
      status: 'running',
      error: null,
      backend,
      host: hostname(),
      dataset: { name: dataset.name, source: dataset.source, train: dataset.train.count, test: dataset.test.count },
    });
    return {
      config,
      runDir,
      log,
      backend,
      dataset,
      spec,
      learner: { vae, optimizer, variables: trainableVariables(vae) },
      ckpt,
      start,
      steps: batchCount(dataset.train.count, config.train.batchSize),
      wall,
    };
  } catch (err) {
    if (vae !== null) disposeVae(vae);
    optimizer.dispose();
    throw err;
  }
}

export function closeSession(s: TrainSession): void {
  disposeVae(s.learner.vae);
  s.learner.optimizer.dispose();
}

/** Where training stands: the next epoch (0-based) and step in it, its running sums, and the seconds trained before it. */
export interface Position {
  epoch: number;
  step: number;
  sums: EpochSums;
  trainSeconds: number;
}

export async function saveAt(s: TrainSession, at: Position): Promise<void> {
  const { vae, optimizer } = s.learner;
  await saveCheckpoint(s.ckpt, vae, optimizer, { ...s.start, ...at, adam: await adamPowers(optimizer), savedAt: new Date().toISOString() });
}

/** run.json's progress fields after `epochsCompleted` epochs and `trainSeconds` of steps. */
export function progressInfo(s: TrainSession, epochsCompleted: number, trainSeconds: number): Partial<RunInfo> {
  const n = s.dataset.train.count;
  return { epochsCompleted, trainSeconds, wallSeconds: s.wall(), samplesPerSecond: trainSeconds > 0 ? (epochsCompleted * n) / trainSeconds : null };
}

/** Keys sorted, so a spec whose older keys were filled in on read (upgrade.ts) compares equal. */
function canonical(spec: VaeSpec): string {
  return JSON.stringify(Object.fromEntries(Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : 1))));
}

function checkSameModel(saved: VaeSpec, now: VaeSpec, ckpt: string): void {
  const a = canonical(saved);
  const b = canonical(now);
  if (a !== b) throw new VaelabError(`${ckpt} holds a model ${a}, but the config and data now describe ${b}: cannot resume`);
}
