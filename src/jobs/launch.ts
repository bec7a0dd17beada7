import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorFromData } from '../errors.js';
import type { Progress } from '../train/trainer.js';
import type { PipelineResult } from './pipeline.js';
import type { ControlMessage, JobMessage, JobRequest } from './protocol.js';

const ENTRY = new URL('./entry.ts', import.meta.url);
// Our TypeScript runs through tsx's loader, resolved from this package so any cwd works.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const TSX_API = import.meta.resolve('tsx/esm/api');
const STDERR_TAIL = 2000; // characters of a child's stderr quoted when it dies without a result

export interface LaunchOptions {
  /**
   * thread: a worker thread of this process (the CLI: the main thread stays free to take Ctrl-C while a
   * step computes; tsx kills a child that does not acknowledge a signal within ~60 ms). process: a child
   * process (sweep points: one core each, and a crash or leak in one cannot touch the others).
   */
  where: 'thread' | 'process';
  onProgress: (p: Progress) => void;
  env?: NodeJS.ProcessEnv; // process only
}

export interface JobHandle {
  /** The run's result; rejects with the job's own error class (VaelabError, DivergenceError, or a bug's Error). */
  result: Promise<PipelineResult>;
  /** Asks the job to finish its step, checkpoint and end as interrupted. */
  abort(): void;
  /** Ends the job now. Resolves only once it has ended: a thread stuck in native code never does. */
  terminate(): Promise<void>;
}

/** Raised when a job ends without saying how (killed, crashed): its run directory keeps its last checkpoint. */
export class JobLostError extends Error {
  override name = 'JobLostError';
  constructor(
    message: string,
    readonly aborted = false, // it had been asked to stop: its run is resumable, not failed
  ) {
    super(message);
  }
}

export function launchJob(request: JobRequest, options: LaunchOptions): JobHandle {
  return options.where === 'thread' ? inThread(request, options) : inProcess(request, options);
}

/** Settles `result` from the job's messages: progress passes through, the first done or error settles. */
function listener(options: LaunchOptions, settle: (outcome: { result: PipelineResult } | { error: Error }) => void) {
  return (m: JobMessage) => {
    if (m.type === 'progress') options.onProgress(m.progress);
    else if (m.type === 'done') settle({ result: m.result });
    else settle({ error: errorFromData(m.error) });
  };
}

function inThread(request: JobRequest, options: LaunchOptions): JobHandle {
  // A worker does not inherit tsx's loader: its first act is to register it, then import the entry.
  const code = `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(ENTRY.href)}); })`;
  const worker = new Worker(code, { eval: true, workerData: request, stderr: false, stdout: false });
  const result = new Promise<PipelineResult>((resolve, reject) => {
    // Settled at the thread's exit, not at its last message: Node has then written all the thread's
    // stderr, so what the caller prints after the result comes after the job's own lines.
    let outcome: { result: PipelineResult } | { error: Error } | null = null;
    const keep = (o: { result: PipelineResult } | { error: Error }) => (outcome ??= o);
    worker.on('message', listener(options, keep));
    worker.on('error', (error: unknown) => keep({ error: error instanceof Error ? error : new Error(String(error)) }));
    worker.on('exit', (code) => {
      const o = outcome ?? { error: new JobLostError(`training thread exited with code ${code} before reporting a result`) };
      if ('result' in o) resolve(o.result);
      else reject(o.error);
    });
  });
  return {
    result,
    abort: () => worker.postMessage({ type: 'abort' } satisfies ControlMessage),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

function inProcess(request: JobRequest, options: LaunchOptions): JobHandle {
  const child = fork(fileURLToPath(ENTRY), [], { execArgv: ['--import', TSX_LOADER], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: options.env ?? process.env });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
  });
  let aborted = false;
  const send = (m: ControlMessage) => {
    if (child.connected) child.send(m);
  };
  send({ type: 'start', request });
  const result = new Promise<PipelineResult>((resolve, reject) => {
    let outcome: { result: PipelineResult } | { error: Error } | null = null;
    child.on('message', listener(options, (o) => (outcome ??= o)));
    let spawnError: Error | null = null;
    child.on('error', (err) => (spawnError = err));
    child.on('close', (code, signal) => {
      const o = outcome as typeof outcome; // assigned in a callback: TypeScript cannot see it
      if (o !== null) return 'result' in o ? resolve(o.result) : reject(o.error);
      const how = spawnError !== null ? `could not start: ${(spawnError as Error).message}` : `exited with ${signal ?? `code ${String(code)}`} before reporting a result`;
      reject(new JobLostError(`job process ${how}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`, aborted));
    });
  });
  return {
    result,
    abort: () => {
      aborted = true;
      send({ type: 'abort' });
    },
    terminate: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
