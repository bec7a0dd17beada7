import * as tf from '@tensorflow/tfjs';
import { epochBeta, stepLoss, withBeta } from '../config/kl-schedule.js';
import { endsStage, learningRateAt, plannedEpochs, stageOf } from '../config/schedule.js';
import type { LossConfig } from '../config/schema.js';
import { deriveSeed, trainingOrder } from '../data/batches.js';
import { batchBinarizeSeed } from '../data/binarize.js';
import { batchTensors, disposeBatch } from '../data/batch-tensors.js';
import { DivergenceError } from '../errors.js';
import { snapshotCheckpoint, type EpochSums } from '../run/checkpoint.js';
import { appendMetrics, updateRunInfo, type EpochMetrics, type LossMeans } from '../run/run-dir.js';
import { encodeSplit, evaluate } from './evaluate.js';
import { objectiveValue } from './loss.js';
import { setLearningRate } from './optimizer.js';
import { recalibrateBatchNorm } from './precise-bn.js';
import { progressInfo, saveAt, zeroSums, type TrainSession } from './session.js';
import { trainStep, type StepTerms } from './step.js';
import { OBJECTIVE_TRAITS } from '../config/objective.js';
import { familyOf } from '../models/families/index.js';

const STEP_STREAM = 0x57e9; // eps stream of training steps

/** What a run tells its caller as it goes: every step, and every epoch's metrics. */
export type Progress =
  | { type: 'step'; epoch: number; epochs: number; step: number; steps: number; loss: number; samplesPerSecond: number; etaSeconds: number }
  | { type: 'epoch'; metrics: EpochMetrics; numTensors: number };

export interface EpochOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  checkpointSeconds: number; // also checkpoint mid-epoch after this long
}

/**
 * Trains epoch `epoch` (0-based) from the session's start when it is the epoch the session resumes in,
 * else from step 0; evaluates on the test set; appends the metrics line and checkpoints. `trainSeconds`
 * is the step time of the epochs before. Returns the metrics, or null when aborted (checkpoint written,
 * run marked interrupted).
 */
export async function trainEpoch(s: TrainSession, epoch: number, trainSeconds: number, options: EpochOptions): Promise<EpochMetrics | null> {
  const { config, dataset, spec, steps } = s;
  const { batchSize } = config.train;
  const epochs = plannedEpochs(config.train);
  const n = dataset.train.count;
  const order = trainingOrder(n, config.seed, epoch, config.data.shuffle);
  const binarize = config.data.binarize === 'dynamic';
  // recon and kl give the minimised objective only for fixed weights, no floor and an ELBO-shaped family: else it is summed too
  const sumLoss = OBJECTIVE_TRAITS[config.loss.objective].perSampleWeights || config.loss.warmup !== null || config.loss.freeBits !== null || !familyOf(config.model).termsGiveLoss(config.model);
  setLearningRate(s.learner.optimizer, learningRateAt(config.train, epoch));
  const resumed = epoch === s.start.epoch;
  const sums = resumed ? { ...s.start.sums } : zeroSums();
  let lastSave = performance.now();
  for (let step = resumed ? s.start.step : 0; step < steps; step++) {
    const binarizeSeed = binarize ? batchBinarizeSeed(config.seed, epoch, step) : undefined;
    const batch = batchTensors(dataset.train, { order, start: step * batchSize, end: Math.min((step + 1) * batchSize, n), spec, binarizeSeed });
    const t0 = performance.now();
    const epsSeed = deriveSeed(deriveSeed(config.seed, STEP_STREAM + epoch), step);
    const weights = stepLoss(config.loss, { epoch, step, stepsPerEpoch: steps });
    const { terms, applied } = await trainStep(s.learner, batch, { weights, epsSeed, trainImages: n, reduction: config.train.reduction });
    sums.seconds += (performance.now() - t0) / 1000;
    const size = batch.size;
    disposeBatch(batch);
    if (!applied) throw divergence(epoch, step, steps, terms, s.ckpt);
    sums.recon += terms.recon * size;
    sums.kl += terms.kl * size;
    if (sumLoss) sums.loss = (sums.loss ?? 0) + terms.loss * size;
    if (terms.klFloored !== undefined && terms.atFloor !== undefined) {
      sums.klFloored = (sums.klFloored ?? 0) + terms.klFloored * size;
      sums.atFloor = (sums.atFloor ?? 0) + terms.atFloor * size;
    }
    sums.count += size;
    const rate = sums.count / sums.seconds;
    const etaSeconds = Math.max(0, n - (step + 1) * batchSize) / rate;
    options.onProgress?.({ type: 'step', epoch: epoch + 1, epochs, step: step + 1, steps, loss: terms.loss, samplesPerSecond: rate, etaSeconds });
    // wasm's data() resolves without a turn of the event loop: yield one so signals get delivered
    await new Promise((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) {
      await saveAt(s, { epoch, step: step + 1, sums, trainSeconds });
      updateRunInfo(s.runDir, { status: 'interrupted', ...progressInfo(s, epoch, trainSeconds + sums.seconds) });
      s.log.warn(`interrupted at epoch ${epoch + 1}, step ${step + 1} of ${steps}; checkpoint written, resume with --resume ${s.runDir}`);
      return null;
    }
    if ((performance.now() - lastSave) / 1000 > options.checkpointSeconds) {
      await saveAt(s, { epoch, step: step + 1, sums, trainSeconds });
      lastSave = performance.now();
    }
  }
  const t1 = performance.now();
  const model = s.learner.vae;
  const dead = await recalibrateBatchNorm(model, dataset.train);
  if (dead > 0) s.log.debug(`BatchNorm recalibrated; ${dead} channels were dead on the sample (running statistics 0 and 1)`);
  const beta = epochBeta(config.loss, epoch, { images: n, batchSize });
  const test = await evaluate(model, dataset.test, { weights: withBeta(config.loss, beta), batchSize: config.train.evalBatchSize, seed: config.seed });
  const trained = trainSeconds + sums.seconds;
  const metrics: EpochMetrics = {
    epoch: epoch + 1,
    steps: (epoch + 1) * steps,
    beta,
    train: trainMeans(sums, config.loss, sumLoss),
    test,
    trainSeconds: sums.seconds,
    evalSeconds: (performance.now() - t1) / 1000,
    samplesPerSecond: sums.count / sums.seconds,
    time: new Date().toISOString(),
  };
  appendMetrics(s.runDir, metrics);
  await saveAt(s, { epoch: epoch + 1, step: 0, sums: zeroSums(), trainSeconds: trained });
  if (endsStage(config.train, epoch)) snapshotCheckpoint(s.ckpt, `${s.ckpt}-stage-${stageOf(epoch)}`); // the paper's training_state{i}
  updateRunInfo(s.runDir, progressInfo(s, epoch + 1, trained));
  const { numTensors } = tf.memory();
  options.onProgress?.({ type: 'epoch', metrics, numTensors });
  s.log.info(
    { metrics, numTensors }, // in the log, not metrics.jsonl: a leak shows as a count that grows epoch by epoch
    `epoch ${epoch + 1}/${epochs}: train loss ${metrics.train.loss.toFixed(2)}${klScheduleText(metrics, config.loss, spec.latentDim)}, test -ELBO ${test.negElbo.toFixed(2)} (recon ${test.recon.toFixed(2)}, KL ${test.kl.toFixed(2)}) nats/image, ${metrics.samplesPerSecond.toFixed(0)} samples/s`,
  );
  return metrics;
}

/** The epoch's training means: the minimised objective from its own sum where recon and kl do not give it. */
function trainMeans(sums: EpochSums, loss: LossConfig, summed: boolean): LossMeans {
  const per = (v: number | undefined) => (v ?? 0) / sums.count;
  const means: LossMeans = { recon: per(sums.recon), kl: per(sums.kl), negElbo: per(sums.recon + sums.kl), loss: summed ? per(sums.loss) : objectiveValue(sums.recon, sums.kl, loss) / sums.count };
  return loss.freeBits === null ? means : { ...means, klFloored: per(sums.klFloored), dimsAtFloor: per(sums.atFloor) };
}

/** The log line's warm-up and free-bits part: the epoch's β, the floored KL and the dimensions under the floor. */
function klScheduleText(m: EpochMetrics, loss: LossConfig, latentDim: number): string {
  const beta = loss.warmup === null ? '' : `, β ${m.beta?.toFixed(3)}${'steps' in loss.warmup ? ' (mean over the epoch)' : ''}`;
  const floor = loss.freeBits === null ? '' : `, floored KL ${m.train.klFloored?.toFixed(2)} with ${m.train.dimsAtFloor?.toFixed(1)} of ${latentDim} dims under ${loss.freeBits} nats`;
  return beta + floor;
}

/** Posterior means and log-variances of every test and training image, for the latents file. */
export async function encodeLatents(s: TrainSession) {
  const entries = await Promise.all(
    (['test', 'train'] as const).map(async (name) => {
      const split = s.dataset[name];
      return [name, { ...(await encodeSplit(s.learner.vae, split, s.config.train.evalBatchSize)), labels: split.labels, count: split.count }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<'test' | 'train', (typeof entries)[number][1]>;
}

function divergence(epoch: number, step: number, steps: number, terms: StepTerms, ckpt: string): DivergenceError {
  const bad = Object.entries(terms).filter(([, v]) => !Number.isFinite(v)).map(([k, v]) => `${k} ${v}`);
  return new DivergenceError(
    `training diverged at epoch ${epoch + 1}, step ${step + 1} of ${steps}: ${bad.join(', ')}. ` +
      `The step was not applied; the last good checkpoint is ${ckpt} (try a lower train.learningRate)`,
  );
}
