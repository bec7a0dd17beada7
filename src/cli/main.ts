import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { nativeThreads } from '../backend/native/install.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { EXIT, exitCodeOf, VaelabError } from '../errors.js';
import { launchJob } from '../jobs/launch.js';
import type { PipelineResult } from '../jobs/pipeline.js';
import type { JobRequest } from '../jobs/protocol.js';
import { ensureWritableDir } from '../run/paths.js';
import { readRunConfig } from '../run/run-dir.js';
import { buildComparison } from '../report/compare/index.js';
import { buildReport } from '../report/render.js';
import { isSweepDir } from '../run/sweep-file.js';
import { parseArgs, type CliArgs } from './args.js';
import { installProcessGuards } from './process-guards.js';
import { commandHelp, helpText } from './help.js';
import { progressBar } from './progress.js';
import { onInterrupt } from './interrupt.js';
import { queuedSweepCommand, statusCommand, workerCommand } from './queue.js';
import { sweepCommand } from './sweep.js';
import '../models/families/index.js'; // the built-in model families' config sections, before any config is read


/** The whole CLI: argv in, exit code out. Only user errors become messages; bugs keep their stack. */
export async function main(argv: readonly string[]): Promise<number> {
  installProcessGuards();
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'help':
        process.stdout.write((args.helpFor === null || args.helpFor === 'train' ? helpText() : commandHelp(args.helpFor)) + '\n');
        return EXIT.ok;
      case 'train':
        return await trainCommand(args);
      case 'report':
        return await reportCommand(args);
      case 'compare':
        return await compareCommand(args);
      case 'worker':
        return await workerCommand(args);
      case 'status':
        return await statusCommand(args);
    }
  } catch (err) {
    const code = exitCodeOf(err);
    if (code === null) throw err;
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return code;
  }
}

async function trainCommand(args: CliArgs): Promise<number> {
  if (args.queue === null && (args.detach || args.attempts !== null)) throw new VaelabError('--detach and --attempts go with --queue (a queued sweep); see --help');
  if (args.resume === null && args.positional.length !== 1) {
    throw new VaelabError('expected one config file, e.g. `npx tsx run configs/beta4.yaml` (see --help)');
  }
  if (args.resume !== null && args.positional.length > 0) {
    throw new VaelabError('--resume continues a run with its saved config: give no config file with it');
  }
  if (args.resume !== null && args.set.length > 0) {
    throw new VaelabError('--resume continues a run with the config it started with: --set cannot change it (start a new run with --set instead)');
  }
  // A sweep folder resumes as the sweep it is: its config.yaml holds the sweep, its parent's parent is --out.
  if (args.resume !== null && isSweepDir(args.resume)) {
    const config = loadConfig(join(args.resume, 'config.yaml'), { maxSweepPoints: args.maxPoints ?? undefined }).config;
    return await sweepCommand(config, { ...args, out: resolve(args.resume, '..', '..') });
  }
  // Config errors are reported here, before a worker starts.
  const config = args.resume === null ? loadConfig(args.positional[0]!, { set: args.set, maxSweepPoints: args.maxPoints ?? undefined }).config : null;
  if (config !== null && config.sweep !== null) {
    if (args.queue !== null) return await queuedSweepCommand(config, args);
    checkOutputs(args, config);
    return await sweepCommand(config, args);
  }
  if (args.queue !== null) throw new VaelabError('--queue runs the points of a sweep on workers, and this config has no sweep block');
  if (args.jobs !== null) throw new VaelabError('--jobs sets how many points of a sweep run at once, and this config has no sweep');
  checkOutputs(args, config ?? readRunConfig(args.resume!));
  const colorize = process.stderr.isTTY === true;
  const common = { reports: args.reports, console: { colorize }, progressEveryMs: 100 };
  const request: JobRequest = config === null ? { kind: 'resume', runDir: args.resume!, ...common } : { kind: 'train', config, out: args.out, ...common };
  const job = launchJob(request, { where: 'thread', onProgress: progressBar(process.stderr) });
  const stopListening = onInterrupt(() => job.abort(), 'finishing this step and writing a checkpoint', () => job.terminate());
  let result: PipelineResult;
  try {
    result = await job.result;
  } finally {
    stopListening();
  }
  process.stdout.write(`${result.runDir}\n`);
  if (result.reportPath !== null) process.stdout.write(`${result.reportPath}\n`);
  if (result.status === 'interrupted') return EXIT.interrupted;
  return reportOutcome(result, args);
}

/** A completed run whose report failed is exit 1: the run stands, and the one command that rebuilds the report is said. */
function reportOutcome(result: PipelineResult, args: CliArgs): number {
  if (result.reportProblems.length === 0) return EXIT.ok;
  const whole = result.reportProblems.find((p) => p.stage === null);
  const stages = result.reportProblems.map((p) => p.stage);
  process.stderr.write(whole !== undefined ? `error: no report was written: ${whole.message}\n` : `error: the report is incomplete: ${stages.length} stage${stages.length === 1 ? '' : 's'} failed (${stages.join(', ')}), each named above with its file and cause\n`);
  const reports = resolve(args.reports) === resolve('reports') ? '' : ` --reports ${args.reports}`;
  process.stderr.write(`the run is saved and completed; once the cause is fixed, rebuild its report with: npx tsx run report ${result.runDir}${reports}\n`);
  return EXIT.failed;
}

/**
 * Output folders are proven writable before any training starts: an unusable --out or --reports (a file,
 * a read-only or virtual filesystem such as /proc) is exit 2 at once, not an error after the first epoch.
 */
function checkOutputs(args: CliArgs, config: Config): void {
  nativeThreads(); // a bad VAELAB_THREADS is exit 2 now, not a failed run folder once the backend loads
  if (args.resume === null) ensureWritableDir(args.out, '--out');
  const stages = config.report.stages;
  if (!(Array.isArray(stages) && stages.length === 0)) ensureWritableDir(args.reports, '--reports');
}

async function reportCommand(args: CliArgs): Promise<number> {
  if (args.positional.length !== 1) {
    throw new VaelabError('expected one run directory, e.g. `npx tsx run report experiments/vae-mlp-z2/<run id>` (see --help)');
  }
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
  ensureWritableDir(args.reports, '--reports');
  tf.enableProdMode();
  const result = await buildComparison(args.positional, args.reports, { experiments: args.out, log: (message) => process.stderr.write(`${message}\n`) });
  for (const f of result.failed) process.stderr.write(`error: comparison figure "${f.title}" failed: ${f.error}\n`);
  process.stdout.write(`${result.indexPath}\n`);
  return result.failed.length > 0 ? EXIT.failed : EXIT.ok;
}
