import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { DivergenceError, VaelabError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { PipelineResult } from '../pipeline.js';
import { ensureWritableDir } from '../run/paths.js';
import { buildComparison } from '../report/compare/index.js';
import { buildReport } from '../report/render.js';
import { isSweepDir } from '../run/sweep-file.js';
import { parseArgs, type CliArgs } from './args.js';
import { helpText } from './help.js';
import { progressBar } from './progress.js';
import { onInterrupt } from './interrupt.js';
import { runInWorker } from './run-in-worker.js';
import { sweepCommand } from './sweep.js';
import type { WorkerRequest } from './worker-protocol.js';

export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

/** The whole CLI: argv in, exit code out. Only user errors become messages; bugs keep their stack. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'help':
        process.stdout.write(helpText() + '\n');
        return EXIT.ok;
      case 'train':
        return await trainCommand(args);
      case 'report':
        return await reportCommand(args);
      case 'compare':
        return await compareCommand(args);
    }
  } catch (err) {
    if (err instanceof DivergenceError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.failed;
    }
    if (err instanceof VaelabError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}

async function trainCommand(args: CliArgs): Promise<number> {
  if (args.resume === null && args.positional.length !== 1) {
    throw new VaelabError('expected one config file, e.g. `npx tsx run configs/beta4.yaml` (see --help)');
  }
  if (args.resume !== null && args.positional.length > 0) {
    throw new VaelabError('--resume continues a run with its saved config: give no config file with it');
  }
  // A sweep folder resumes as the sweep it is: its config.yaml holds the sweep, its parent's parent is --out.
  if (args.resume !== null && isSweepDir(args.resume)) {
    const config = loadConfig(join(args.resume, 'config.yaml')).config;
    return await sweepCommand(config, { ...args, out: resolve(args.resume, '..', '..') });
  }
  // Config errors are reported here, before a worker starts.
  const config = args.resume === null ? loadConfig(args.positional[0]!, { set: args.set }).config : null;
  if (config !== null && config.sweep !== null) {
    checkOutputs(args, config);
    return await sweepCommand(config, args);
  }
  if (args.jobs !== null) throw new VaelabError('--jobs sets how many points of a sweep run at once, and this config has no sweep');
  checkOutputs(args, config ?? loadConfig(join(args.resume!, 'config.yaml')).config);
  const colorize = process.stderr.isTTY === true;
  const request: WorkerRequest =
    config === null
      ? { kind: 'resume', runDir: args.resume!, reports: args.reports, colorize }
      : { kind: 'train', config, out: args.out, reports: args.reports, colorize };
  const job = runInWorker(request, progressBar(process.stderr));
  const stopListening = onInterrupt(() => job.abort(), 'finishing this step and writing a checkpoint', () => job.terminate());
  let result: PipelineResult;
  try {
    result = await job.result;
  } finally {
    stopListening();
  }
  process.stdout.write(`${result.runDir}\n`);
  if (result.reportPath !== null) process.stdout.write(`${result.reportPath}\n`);
  return result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}

/**
 * Output folders are proven writable before any training starts: an unusable --out or --reports (a file,
 * a read-only or virtual filesystem such as /proc) is exit 2 at once, not an error after the first epoch.
 */
function checkOutputs(args: CliArgs, config: Config): void {
  if (args.resume === null) ensureWritableDir(args.out, '--out');
  const stages = config.report.stages;
  if (!(Array.isArray(stages) && stages.length === 0)) ensureWritableDir(args.reports, '--reports');
}

async function reportCommand(args: CliArgs): Promise<number> {
  if (args.positional.length !== 1) {
    throw new VaelabError('expected one run directory, e.g. `npx tsx run report experiments/vae-mlp-z2/<run id>` (see --help)');
  }
  if (args.set.length > 0 || args.resume !== null) throw new VaelabError('report takes a run directory and --reports DIR only');
  ensureWritableDir(args.reports, '--reports');
  tf.enableProdMode();
  const result = await buildReport(args.positional[0]!, args.reports, { log: (message) => process.stderr.write(`${message}\n`) });
  const failed = result.stages.filter((s) => !s.ok);
  for (const s of failed) process.stderr.write(`error: report stage ${s.type} failed: ${s.error ?? ''}\n`);
  process.stdout.write(`${result.indexPath}\n`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

async function compareCommand(args: CliArgs): Promise<number> {
  if (args.positional.length === 0) {
    throw new VaelabError('expected run directories or sweep folders, e.g. `npx tsx run compare experiments/vae-mlp-z2/<run id> experiments/vae-mlp-z10/<run id>` (see --help)');
  }
  if (args.set.length > 0 || args.resume !== null || args.jobs !== null) throw new VaelabError('compare takes run directories or sweep folders, --reports DIR and --out DIR only');
  ensureWritableDir(args.reports, '--reports');
  tf.enableProdMode();
  const result = await buildComparison(args.positional, args.reports, { experiments: args.out, log: (message) => process.stderr.write(`${message}\n`) });
  for (const f of result.failed) process.stderr.write(`error: comparison figure "${f.title}" failed: ${f.error}\n`);
  process.stdout.write(`${result.indexPath}\n`);
  return result.failed.length > 0 ? EXIT.failed : EXIT.ok;
}
