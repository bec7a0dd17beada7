import pretty from 'pino-pretty';
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../config/load.js';
import { DivergenceError, VaelabError } from '../errors.js';
import { resume, train } from '../pipeline.js';
import type { TrainResult } from '../train/trainer.js';
import { parseArgs, type CliArgs } from './args.js';
import { helpText } from './help.js';
import { progressBar } from './progress.js';

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
        throw new VaelabError('the report command arrives with the report stages');
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
  tf.enableProdMode(); // no tfjs console chatter; our own log says which backend runs
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      process.stderr.write('\nsecond interrupt: stopping now; the last checkpoint is intact\n');
      process.exit(EXIT.interrupted);
    }
    process.stderr.write('\ninterrupt: finishing this step and writing a checkpoint (Ctrl-C again to stop at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const options = {
    signal: controller.signal,
    onProgress: progressBar(process.stderr),
    console: pretty({ colorize: process.stderr.isTTY === true, destination: 2, sync: true, ignore: 'pid,hostname', hideObject: true, translateTime: 'SYS:HH:MM:ss' }),
  };
  let result: TrainResult;
  try {
    if (args.resume !== null) {
      result = await resume(args.resume, options);
    } else {
      const { config } = loadConfig(args.positional[0]!, { set: args.set });
      result = await train(config, { ...options, out: args.out });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stdout.write(`${result.runDir}\n`);
  return result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}
