import * as tf from '@tensorflow/tfjs';
import pretty from 'pino-pretty';
import { errorData } from '../errors.js';
import type { Progress } from '../train/trainer.js';
import { resume, train, type PipelineOptions, type PipelineResult } from './pipeline.js';
import type { JobMessage, JobRequest } from './protocol.js';
import '../models/families/index.js'; // the built-in model families' config sections, before any config is read

/**
 * Runs a job where it was launched (a worker thread or a child process: see entry.ts) and tells the
 * launcher through `post`. Never throws: the outcome is always one `done` or `error` message.
 */
export async function hostJob(request: JobRequest, signal: AbortSignal, post: (m: JobMessage) => void): Promise<PipelineResult | null> {
  tf.enableProdMode(); // no tfjs console chatter; the run's log says which backend runs
  let lastStep = 0;
  const onProgress = (progress: Progress) => {
    if (progress.type === 'step' && progress.step < progress.steps) {
      const now = performance.now();
      if (now - lastStep < request.progressEveryMs) return;
      lastStep = now;
    }
    post({ type: 'progress', progress });
  };
  const options: PipelineOptions = {
    signal,
    onProgress,
    reports: request.reports,
    reportLog: (message) => process.stderr.write(`${message}\n`),
    ...(request.console === null
      ? {}
      : { console: pretty({ colorize: request.console.colorize, destination: 2, sync: true, ignore: 'pid,hostname', hideObject: true, translateTime: 'SYS:HH:MM:ss' }) }),
  };
  try {
    const result = request.kind === 'train' ? await train(request.config, { ...options, out: request.out }) : await resume(request.runDir, options);
    post({ type: 'done', result });
    return result;
  } catch (err) {
    post({ type: 'error', error: errorData(err) });
    return null;
  }
}
