import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../config/load.js';
import { DivergenceError, VaelabError } from '../errors.js';
import type { PipelineResult } from '../pipeline.js';
import { buildReport } from '../report/render.js';
import { parseArgs, type CliArgs } from './args.js';
import { helpText } from './help.js';
import { progressBar } from './progress.js';
import { runInWorker } from './run-in-worker.js';
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
  // Config errors are reported here, before a worker starts.
  const colorize = process.stderr.isTTY === true;
  const request: WorkerRequest =
    args.resume !== null
      ? { kind: 'resume', runDir: args.resume, reports: args.reports, colorize }
      : { kind: 'train', config: loadConfig(args.positional[0]!, { set: args.set }).config, out: args.out, reports: args.reports, colorize };
  const job = runInWorker(request, progressBar(process.stderr));
  let firstSignal = 0;
  const onSignal = () => {
    const now = Date.now();
    // tsx relays a terminal's Ctrl-C to us a second time when our first acknowledgement races it:
    // only a second press a moment later means "stop now".
    if (firstSignal > 0 && now - firstSignal > 1000) {
      process.stderr.write('\nsecond interrupt: stopping now; the last checkpoint is intact\n');
      process.exit(EXIT.interrupted);
    }
    if (firstSignal > 0) return;
    firstSignal = now;
    process.stderr.write('\ninterrupt: finishing this step and writing a checkpoint (Ctrl-C again to stop at once)\n');
    job.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: PipelineResult;
  try {
    result = await job.result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stdout.write(`${result.runDir}\n`);
  if (result.reportPath !== null) process.stdout.write(`${result.reportPath}\n`);
  return result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}

async function reportCommand(args: CliArgs): Promise<number> {
  if (args.positional.length !== 1) {
    throw new VaelabError('expected one run directory, e.g. `npx tsx run report experiments/vae-mlp-z2/<run id>` (see --help)');
  }
  if (args.set.length > 0 || args.resume !== null) throw new VaelabError('report takes a run directory and --reports DIR only');
  tf.enableProdMode();
  const result = await buildReport(args.positional[0]!, args.reports, { log: (message) => process.stderr.write(`${message}\n`) });
  const failed = result.stages.filter((s) => !s.ok);
  for (const s of failed) process.stderr.write(`error: report stage ${s.type} failed: ${s.error ?? ''}\n`);
  process.stdout.write(`${result.indexPath}\n`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}
