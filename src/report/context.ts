import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { DIGIT_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES, loadDataset, type Dataset } from '../data/datasets.js';
import { latentUsage } from '../eval/active-units.js';
import { VaelabError } from '../errors.js';
import { disposeVae } from '../models/registry.js';
import type { VaeSpec } from '../models/types.js';
import type { Vae } from '../models/family.js';
import { loadVae, readState } from '../run/checkpoint.js';
import { readEvalMetrics } from '../run/eval-metrics.js';
import { readLatents, type Latents } from '../run/latents.js';
import type { MetricsFile, RunInfo } from '../run/run-dir.js';
import type { ReportContext, RunLatentUsage } from './types.js';

function classNamesFor(config: Config): string[] {
  return [...(config.data.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASS_NAMES : DIGIT_CLASS_NAMES)];
}

/**
 * A stage's view of a run directory. The spec, latents, model and data are loaded on first use and
 * shared by the stages that follow; `close` disposes the model's weights. The metrics come read already
 * (readMetricsFile), so a damaged metrics.jsonl stops the report before any stage runs.
 */
export function createContext(
  run: { runDir: string; config: Config; info: RunInfo; metrics: MetricsFile },
  outDir: string,
  progress: (message: string) => void,
): Omit<ReportContext, 'sectionId'> & { close(): Promise<void> } {
  const { runDir, config, info } = run;
  const checkpoint = join(runDir, 'checkpoint');
  let spec: VaeSpec | null = null;
  let latents: Latents | null = null;
  let usage: RunLatentUsage | null = null;
  let vae: Promise<Vae> | null = null;
  let dataset: Promise<Dataset> | null = null;
  const ctx = {
    runDir,
    outDir,
    config,
    info,
    metrics: run.metrics.metrics,
    classNames: classNamesFor(config),
    spec: () => (spec ??= readState(checkpoint).spec),
    latents: () => (latents ??= checkedLatents(runDir, ctx.spec())),
    latentUsage: () => (usage ??= runLatentUsage(ctx, config.eval.activeThreshold)),
    vae: () => (vae ??= loadVae(checkpoint)),
    // The resolved config holds an absolute data.dir, so the working folder does not matter here.
    dataset: () => (dataset ??= loadDataset(config.data, { baseDir: process.cwd() })),
    progress,
    async close() {
      // A model that failed to load was already reported by the stage that asked for it.
      await vae?.then(disposeVae, () => undefined);
    },
  };
  return ctx;
}

/** The saved latents, refused when their width is not the checkpoint's latentDim (a run directory pieced together from two runs). */
function checkedLatents(runDir: string, spec: VaeSpec): Latents {
  const latents = readLatents(runDir);
  if (latents.latentDim !== spec.latentDim) {
    throw new VaelabError(`${join(runDir, 'latents.json')} holds latentDim ${latents.latentDim}, but the checkpoint's model has latentDim ${spec.latentDim}`);
  }
  return latents;
}

/** metrics.json's numbers when the run completed its evaluation; otherwise the same rule on the saved test latents. */
function runLatentUsage(ctx: Pick<ReportContext, 'runDir' | 'spec' | 'latents'>, threshold: number): RunLatentUsage {
  const { latentDim } = ctx.spec();
  const saved = readEvalMetrics(ctx.runDir);
  if (saved !== null) {
    const { dim, ...latent } = saved.latent;
    if (dim !== latentDim) throw new VaelabError(`${join(ctx.runDir, 'metrics.json')} describes latentDim ${dim}, but the checkpoint's model has latentDim ${latentDim}`);
    return { ...latent, source: 'metrics.json' };
  }
  const test = ctx.latents().splits['test'];
  if (test === undefined) throw new VaelabError(`${join(ctx.runDir, 'latents.json')} has no test split`);
  return { ...latentUsage(test.mu, test.logVar, test.count, latentDim, threshold), source: 'latents' };
}
