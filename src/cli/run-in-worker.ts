import { Worker } from 'node:worker_threads';
import { DivergenceError, VaelabError } from '../errors.js';
import type { PipelineResult } from '../pipeline.js';
import type { Progress } from '../train/trainer.js';
import type { MainMessage, WorkerMessage, WorkerRequest } from './worker-protocol.js';

/**
 * Starts the training worker. We run TypeScript through tsx, whose loader a worker does not inherit, so
 * the worker's first act is to register it and then import our worker module.
 */
function startWorker(request: WorkerRequest): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./train-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData: request, stderr: false, stdout: false });
}

export interface WorkerHandle {
  result: Promise<PipelineResult>;
  /** Asks the worker to finish its step and checkpoint. */
  abort(): void;
  /** Ends the worker thread now (resolves only if the thread is not stuck in native code). */
  terminate(): Promise<number>;
}

export function runInWorker(request: WorkerRequest, onProgress: (p: Progress) => void): WorkerHandle {
  const worker = startWorker(request);
  const result = new Promise<PipelineResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m.progress);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result);
      } else {
        settled = true;
        const { kind, message, stack } = m.error;
        const err = kind === 'divergence' ? new DivergenceError(message) : kind === 'user' ? new VaelabError(message) : new Error(message);
        if (kind === 'bug' && stack !== undefined) err.stack = stack;
        reject(err);
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`training worker exited with code ${code} before reporting a result`));
    });
  });
  return { result, abort: () => worker.postMessage({ type: 'abort' } satisfies MainMessage), terminate: () => worker.terminate() };
}
