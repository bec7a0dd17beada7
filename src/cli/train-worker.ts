import * as tf from '@tensorflow/tfjs';
import pretty from 'pino-pretty';
import { parentPort, workerData } from 'node:worker_threads';
import { DivergenceError, VaelabError } from '../errors.js';
import { resume, train, type PipelineOptions } from '../pipeline.js';
import type { MainMessage, WorkerMessage, WorkerRequest } from './worker-protocol.js';

/**
 * The training side of `npx tsx run`: runs the pipeline in a worker thread, so the main thread stays free
 * to take Ctrl-C while a step computes (tsx kills a child that does not acknowledge a signal in ~60 ms).
 */
const port = parentPort!;
const request = workerData as WorkerRequest;
const post = (m: WorkerMessage) => port.postMessage(m);
const controller = new AbortController();
port.on('message', (m: MainMessage) => {
  if (m.type === 'abort') controller.abort();
});

tf.enableProdMode(); // no tfjs console chatter; our own log says which backend runs
const options: PipelineOptions = {
  signal: controller.signal,
  onProgress: (progress) => post({ type: 'progress', progress }),
  reports: request.reports,
  reportLog: (message) => process.stderr.write(`${message}\n`),
  console: pretty({ colorize: request.colorize, destination: 2, sync: true, ignore: 'pid,hostname', hideObject: true, translateTime: 'SYS:HH:MM:ss' }),
};
try {
  const result = request.kind === 'train' ? await train(request.config, { ...options, out: request.out }) : await resume(request.runDir, options);
  post({ type: 'done', result });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  const kind = e instanceof DivergenceError ? 'divergence' : e instanceof VaelabError ? 'user' : 'bug';
  post({ type: 'error', error: { kind, message: e.message, stack: e.stack } });
} finally {
  port.close();
}
