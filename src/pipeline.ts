import { join } from 'node:path';
import type { Config } from './config/schema.js';
import { loadConfig } from './config/load.js';
import { VaelabError } from './errors.js';
import { createRunDir, readRunInfo } from './run/run-dir.js';
import { trainAndEvaluate, type TrainOptions, type TrainResult } from './train/trainer.js';

/** Creates a new run directory under `out` and trains the config's model in it. */
export async function train(config: Config, options: TrainOptions & { out?: string } = {}): Promise<TrainResult> {
  const runDir = createRunDir(options.out ?? 'experiments', config);
  return trainAndEvaluate(config, runDir, options);
}

/** The resolved config a run directory was made with. */
export function runConfig(runDir: string): Config {
  return loadConfig(join(runDir, 'config.yaml')).config;
}

/** Continues an interrupted (or failed) run from its checkpoint, with the config it was started with. */
export async function resume(runDir: string, options: TrainOptions = {}): Promise<TrainResult> {
  const info = readRunInfo(runDir);
  if (info.status === 'completed') throw new VaelabError(`${runDir} has already completed; nothing to resume`);
  return trainAndEvaluate(runConfig(runDir), runDir, options);
}
