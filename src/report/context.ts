import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { DIGIT_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES, loadDataset, type Dataset } from '../data/datasets.js';
import { disposeVae } from '../models/registry.js';
import type { Vae } from '../models/types.js';
import { loadVae } from '../run/checkpoint.js';
import { readLatents, type Latents } from '../run/latents.js';
import { readMetrics, type RunInfo } from '../run/run-dir.js';
import type { ReportContext } from './types.js';

export function classNamesFor(config: Config): string[] {
  return [...(config.data.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASS_NAMES : DIGIT_CLASS_NAMES)];
}

/**
 * A stage's view of a run directory. The latents, the model and the data are loaded on first use and
 * shared by the stages that follow; `close` disposes the model's weights.
 */
export function createContext(
  run: { runDir: string; config: Config; info: RunInfo },
  outDir: string,
  progress: (message: string) => void,
): ReportContext & { close(): Promise<void> } {
  const { runDir, config, info } = run;
  let latents: Latents | null = null;
  let vae: Promise<Vae> | null = null;
  let dataset: Promise<Dataset> | null = null;
  return {
    runDir,
    outDir,
    config,
    info,
    metrics: readMetrics(runDir),
    classNames: classNamesFor(config),
    latents: () => (latents ??= readLatents(runDir)),
    vae: () => (vae ??= loadVae(join(runDir, 'checkpoint'))),
    // The resolved config holds an absolute data.dir, so the working folder does not matter here.
    dataset: () => (dataset ??= loadDataset(config.data, { baseDir: process.cwd() })),
    progress,
    async close() {
      // A model that failed to load was already reported by the stage that asked for it.
      await vae?.then(disposeVae, () => undefined);
    },
  };
}
