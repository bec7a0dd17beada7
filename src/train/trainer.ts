import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type pino from 'pino';
import { selectBackend } from '../backend/select.js';
import type { Config } from '../config/schema.js';
import { batchCount, deriveSeed, epochOrder } from '../data/batches.js';
import { loadDataset, type Dataset } from '../data/datasets.js';
import { DivergenceError, VaelabError } from '../errors.js';
import { buildVae, disposeVae } from '../models/registry.js';
import type { Vae, VaeSpec } from '../models/types.js';
import { describeEvalMetrics, evaluateRun } from '../eval/run-metrics.js';
import { writeEvalMetrics } from '../run/eval-metrics.js';
import { writeLatents } from '../run/latents.js';
import { runLogger } from '../run/log.js';
import { appendMetrics, readMetrics, readRunInfo, updateRunInfo, type EpochMetrics, type RunInfo } from '../run/run-dir.js';
import { batchTensors, disposeBatch } from './batch-tensors.js';
import { CHECKPOINT_FORMAT, hasCheckpoint, loadVae, readOptimizerWeights, readState, saveCheckpoint, type EpochSums, type TrainState } from '../run/checkpoint.js';
import { recalibrateBatchNorm } from './precise-bn.js';
import { encodeSplit, evaluate } from './evaluate.js';
import { objectiveValue } from './loss.js';
import { adamPowers, restoreAdam } from '../run/optimizer-state.js';
import { createAdam } from './optimizer.js';
import { trainableVariables, trainStep } from './step.js';

export type Progress =
  | { type: 'step'; epoch: number; epochs: number; step: number; steps: number; loss: number; samplesPerSecond: number; etaSeconds: number }
  | { type: 'epoch'; metrics: EpochMetrics; numTensors: number };

export interface TrainOptions {
  /** Abort finishes the current step, writes a checkpoint and returns status 'interrupted'. */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Use this data instead of loading config.data (tests, notebooks). */
  dataset?: Dataset;
  /** Folder that relative paths in the config (data.dir) resolve against. */
  baseDir?: string;
  /** Extra destination for log records, besides the run's log.jsonl. */
  console?: pino.DestinationStream;
  /** Also checkpoint mid-epoch after this many seconds (long conv epochs); default 300. */
  checkpointSeconds?: number;
}

export interface TrainResult {
  runDir: string;
  status: 'completed' | 'interrupted';
  metrics: EpochMetrics[];
}

const STEP_STREAM = 0x57e9; // eps stream of training steps

export function specFor(config: Config, dataset: Dataset): VaeSpec {
  const { height, width, numClasses } = dataset;
  return { ...config.model, imageSize: height * width, height, width, numClasses };
}

/**
 * Trains the model of `config` in `runDir` (made by createRunDir), or continues it from its checkpoint,
 * evaluating on the test set after every epoch; then writes the latents. A run is this call and nothing
 * else: no globals, no process exit, so the same call serves the CLI, tests, sweeps and workers.
 */
export async function trainAndEvaluate(config: Config, runDir: string, options: TrainOptions = {}): Promise<TrainResult> {
  const log = runLogger(runDir, options.console);
  const session = { started: performance.now(), wallBefore: readRunInfo(runDir).wallSeconds };
  const wall = () => session.wallBefore + (performance.now() - session.started) / 1000;
  let vae: Vae | null = null;
  let adam: tf.AdamOptimizer | null = null;
  try {
    const backend = await selectBackend(config.backend, (msg) => log.info(msg));
    const optimizer = (adam = createAdam(config.train.learningRate));
    const dataset = options.dataset ?? (await loadDataset(config.data, { baseDir: options.baseDir ?? process.cwd() }));
    log.info(`data: ${dataset.source}; ${dataset.train.count} training and ${dataset.test.count} test images`);
    const spec = specFor(config, dataset);
    const ckpt = join(runDir, 'checkpoint');
    let state: TrainState;
    if (hasCheckpoint(ckpt)) {
      state = readState(ckpt);
      checkSameModel(state.spec, spec, ckpt);
      vae = await loadVae(ckpt);
      await restoreAdam(optimizer, readOptimizerWeights(ckpt), state.adam);
      log.info(`resuming at epoch ${state.epoch + 1}, step ${state.step} from ${ckpt}`);
    } else {
      vae = buildVae(spec, config.seed);
      state = { formatVersion: CHECKPOINT_FORMAT, spec, epoch: 0, step: 0, sums: zeroSums(), trainSeconds: 0, adam: adamPowers(optimizer), savedAt: '' };
    }
    updateRunInfo(runDir, {
      status: 'running',
      error: null,
      backend,
      dataset: { name: dataset.name, source: dataset.source, train: dataset.train.count, test: dataset.test.count },
    });

    const model = vae;
    const variables = trainableVariables(model);
    const { batchSize, epochs } = config.train;
    const n = dataset.train.count;
    const steps = batchCount(n, batchSize);
    const save = async (epoch: number, step: number, sums: EpochSums, trainSeconds: number) => {
      await saveCheckpoint(ckpt, model, optimizer, {
        ...state, epoch, step, sums, trainSeconds, adam: adamPowers(optimizer), savedAt: new Date().toISOString(),
      });
    };
    const summary = (epochsCompleted: number, trainSeconds: number): Partial<RunInfo> => ({
      epochsCompleted,
      trainSeconds,
      wallSeconds: wall(),
      samplesPerSecond: trainSeconds > 0 ? (epochsCompleted * n) / trainSeconds : null,
    });

    let trainSeconds = state.trainSeconds;
    for (let epoch = state.epoch; epoch < epochs; epoch++) {
      const order = epochOrder(n, config.seed, epoch);
      const resumed = epoch === state.epoch;
      const sums = resumed ? { ...state.sums } : zeroSums();
      let lastSave = performance.now();
      for (let step = resumed ? state.step : 0; step < steps; step++) {
        const batch = batchTensors(dataset.train, order, step * batchSize, Math.min((step + 1) * batchSize, n), spec.numClasses, spec.kind === 'cvae');
        const t0 = performance.now();
        const epsSeed = deriveSeed(deriveSeed(config.seed, STEP_STREAM + epoch), step);
        const { terms, applied } = await trainStep(model, optimizer, variables, batch, config.loss, epsSeed);
        sums.seconds += (performance.now() - t0) / 1000;
        const size = batch.size;
        disposeBatch(batch);
        if (!applied) throw divergence(epoch, step, steps, terms, ckpt);
        sums.recon += terms.recon * size;
        sums.kl += terms.kl * size;
        sums.count += size;
        const rate = sums.count / sums.seconds;
        const etaSeconds = Math.max(0, n - (step + 1) * batchSize) / rate;
        options.onProgress?.({ type: 'step', epoch: epoch + 1, epochs, step: step + 1, steps, loss: terms.loss, samplesPerSecond: rate, etaSeconds });
        // wasm's data() resolves without a turn of the event loop: yield one so signals get delivered
        await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) {
          await save(epoch, step + 1, sums, trainSeconds);
          updateRunInfo(runDir, { status: 'interrupted', ...summary(epoch, trainSeconds + sums.seconds) });
          log.warn(`interrupted at epoch ${epoch + 1}, step ${step + 1} of ${steps}; checkpoint written, resume with --resume ${runDir}`);
          return { runDir, status: 'interrupted', metrics: readMetrics(runDir) };
        }
        if ((performance.now() - lastSave) / 1000 > (options.checkpointSeconds ?? 300)) {
          await save(epoch, step + 1, sums, trainSeconds);
          lastSave = performance.now();
        }
      }
      const t1 = performance.now();
      const dead = recalibrateBatchNorm(model, dataset.train);
      if (dead > 0) log.debug(`BatchNorm recalibrated; ${dead} channels were dead on the sample (running statistics 0 and 1)`);
      const test = await evaluate(model, dataset.test, config.loss, config.train.evalBatchSize, config.seed);
      trainSeconds += sums.seconds;
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        steps: (epoch + 1) * steps,
        train: { recon: sums.recon / sums.count, kl: sums.kl / sums.count, negElbo: (sums.recon + sums.kl) / sums.count, loss: objectiveValue(sums.recon, sums.kl, config.loss) / sums.count },
        test,
        trainSeconds: sums.seconds,
        evalSeconds: (performance.now() - t1) / 1000,
        samplesPerSecond: sums.count / sums.seconds,
        time: new Date().toISOString(),
      };
      appendMetrics(runDir, metrics);
      await save(epoch + 1, 0, zeroSums(), trainSeconds);
      updateRunInfo(runDir, summary(epoch + 1, trainSeconds));
      options.onProgress?.({ type: 'epoch', metrics, numTensors: tf.memory().numTensors });
      log.info({ metrics }, `epoch ${epoch + 1}/${epochs}: train loss ${metrics.train.loss.toFixed(2)}, test -ELBO ${test.negElbo.toFixed(2)} (recon ${test.recon.toFixed(2)}, KL ${test.kl.toFixed(2)}) nats/image, ${metrics.samplesPerSecond.toFixed(0)} samples/s`);
    }

    const latents = { test: dataset.test, train: dataset.train };
    const splits = Object.fromEntries(
      await Promise.all(Object.entries(latents).map(async ([name, split]) => [name, { ...(await encodeSplit(model, split, config.train.evalBatchSize)), labels: split.labels, count: split.count }] as const)),
    );
    writeLatents(runDir, { latentDim: spec.latentDim, splits });
    const training = { backend: backend.name, epochs, wallSeconds: wall(), trainSeconds, samplesPerSecond: trainSeconds > 0 ? (epochs * n) / trainSeconds : null };
    const evalMetrics = await evaluateRun(model, dataset.test, splits.test!, config, training, options.signal);
    if (evalMetrics === null) {
      // the checkpoint is at the last epoch: resuming skips training and redoes only this evaluation
      updateRunInfo(runDir, { status: 'interrupted', ...summary(epochs, trainSeconds) });
      log.warn(`interrupted during the final evaluation; resume with --resume ${runDir}`);
      return { runDir, status: 'interrupted', metrics: readMetrics(runDir) };
    }
    writeEvalMetrics(runDir, evalMetrics);
    log.info({ evalMetrics }, describeEvalMetrics(evalMetrics));
    updateRunInfo(runDir, { status: 'completed', ...summary(epochs, trainSeconds) });
    log.info(`completed: ${runDir}`);
    return { runDir, status: 'completed', metrics: readMetrics(runDir) };
  } catch (err) {
    updateRunInfo(runDir, { status: 'failed', error: (err as Error).message, wallSeconds: wall() });
    log.error({ err }, (err as Error).message);
    throw err;
  } finally {
    if (vae !== null) disposeVae(vae);
    adam?.dispose();
    log.flush();
  }
}

function zeroSums(): EpochSums {
  return { recon: 0, kl: 0, count: 0, seconds: 0 };
}

function checkSameModel(saved: VaeSpec, now: VaeSpec, ckpt: string): void {
  const a = JSON.stringify(saved);
  const b = JSON.stringify(now);
  if (a !== b) throw new VaelabError(`${ckpt} holds a model ${a}, but the config and data now describe ${b}: cannot resume`);
}

function divergence(epoch: number, step: number, steps: number, terms: { loss: number; recon: number; kl: number }, ckpt: string): DivergenceError {
  const bad = Object.entries(terms).filter(([, v]) => !Number.isFinite(v)).map(([k, v]) => `${k} ${v}`);
  return new DivergenceError(
    `training diverged at epoch ${epoch + 1}, step ${step + 1} of ${steps}: ${bad.join(', ')}. ` +
      `The step was not applied; the last good checkpoint is ${ckpt} (try a lower train.learningRate)`,
  );
}
