import type pino from 'pino';
import type { Config } from '../config/schema.js';
import { warmupSteps } from '../config/kl-schedule.js';
import { plannedEpochs } from '../config/schedule.js';
import type { Dataset } from '../data/datasets.js';
import { describeEvalMetrics, evaluateRun } from '../eval/run-metrics.js';
import { writeEvalMetrics } from '../run/eval-metrics.js';
import { writeGmm } from '../run/gmm-file.js';
import { writeLatents } from '../run/latents.js';
import { classifierCacheOf } from '../run/sweep-file.js';
import { runLogger } from '../run/log.js';
import { readMetrics, readRunInfo, updateRunInfo, type EpochMetrics } from '../run/run-dir.js';
import { encodeLatents, trainEpoch, type Progress } from './epoch.js';
import { closeSession, openSession, progressInfo, type TrainSession } from './session.js';

export { specFor } from './session.js';

export type { Progress } from './epoch.js';

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

/**
 * Trains the model of `config` in `runDir` (made by createRunDir), or continues it from its checkpoint,
 * evaluating on the test set after every epoch; then writes the latents and metrics.json. A run is this
 * call and nothing else: no globals, no process exit, so the same call serves the CLI, tests, sweeps and
 * workers. Three phases: open (start or resume), an epoch at a time, finish.
 */
export async function trainAndEvaluate(config: Config, runDir: string, options: TrainOptions = {}): Promise<TrainResult> {
  const { log, close: closeLog } = runLogger(runDir, options.console);
  const started = performance.now();
  const wallBefore = readRunInfo(runDir).wallSeconds;
  const wall = () => wallBefore + (performance.now() - started) / 1000;
  let session: TrainSession | null = null;
  try {
    const s = (session = await openSession(config, runDir, { log, wall, dataset: options.dataset, baseDir: options.baseDir ?? process.cwd() }));
    warnLongWarmup(s);
    const epochOptions = { signal: options.signal, onProgress: options.onProgress, checkpointSeconds: options.checkpointSeconds ?? 300 };
    let trainSeconds = s.start.trainSeconds;
    for (let epoch = s.start.epoch; epoch < plannedEpochs(config.train); epoch++) {
      const metrics = await trainEpoch(s, epoch, trainSeconds, epochOptions);
      if (metrics === null) return { runDir, status: 'interrupted', metrics: readMetrics(runDir) };
      trainSeconds += metrics.trainSeconds;
    }
    return { runDir, status: await finish(s, trainSeconds, options.signal, options.baseDir ?? process.cwd()), metrics: readMetrics(runDir) };
  } catch (err) {
    try {
      updateRunInfo(runDir, { status: 'failed', error: (err as Error).message, wallSeconds: wall() });
    } catch (second) {
      // a full disk can refuse this write too: the run's error still reaches the caller
      log.error({ err: second }, `run.json not updated: ${(second as Error).message}`);
    }
    log.error({ err }, (err as Error).message);
    throw err;
  } finally {
    if (session !== null) closeSession(session);
    closeLog();
  }
}

/** A warm-up no shorter than the run never trains at the full weight: legal (a study may want it), but worth a word. */
function warnLongWarmup({ config, steps, log }: TrainSession): void {
  const { warmup, beta } = config.loss;
  const total = plannedEpochs(config.train) * steps;
  if (warmup !== null && warmupSteps(warmup, steps) >= total) {
    log.warn(`loss.warmup ${JSON.stringify(warmup)} lasts ${warmupSteps(warmup, steps)} steps but the run trains ${total}: the KL weight never reaches loss.beta ${beta}`);
  }
}

/** After the last epoch: the latents file, then the end-of-run evaluation (metrics.json). */
async function finish(s: TrainSession, trainSeconds: number, signal: AbortSignal | undefined, baseDir: string): Promise<'completed' | 'interrupted'> {
  const { config, runDir, log, spec } = s;
  const epochs = plannedEpochs(config.train);
  const splits = await encodeLatents(s);
  writeLatents(runDir, { latentDim: spec.latentDim, splits });
  const n = s.dataset.train.count;
  const training = { backend: s.backend.name, epochs, wallSeconds: s.wall(), trainSeconds, samplesPerSecond: trainSeconds > 0 ? (epochs * n) / trainSeconds : null };
  const where = { classifierCache: classifierCacheOf(runDir), baseDir, backend: s.backend.name };
  const evaluated = await evaluateRun(s.learner.vae, s.dataset, splits, config, training, where, { signal, log: (m) => log.info(m) });
  if (evaluated === null) {
    // the checkpoint is at the last epoch: resuming skips training and redoes only this evaluation
    updateRunInfo(runDir, { status: 'interrupted', ...progressInfo(s, epochs, trainSeconds) });
    log.warn(`interrupted during the final evaluation; resume with --resume ${runDir}`);
    return 'interrupted';
  }
  const evalMetrics = evaluated.metrics;
  // the mixture first: a run whose metrics.json names GMM samples always has the gmm.json they came from
  if (evaluated.gmm !== null) writeGmm(runDir, evaluated.gmm);
  writeEvalMetrics(runDir, evalMetrics);
  log.info({ evalMetrics }, describeEvalMetrics(evalMetrics));
  updateRunInfo(runDir, { status: 'completed', ...progressInfo(s, epochs, trainSeconds) });
  log.info(`completed: ${runDir}`);
  return 'completed';
}
