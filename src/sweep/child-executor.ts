import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Executor, PointOutcome } from './executor.js';
import type { ChildMessage, ParentMessage } from './point-protocol.js';

export interface ChildExecutorOptions {
  /**
   * Threads each point's backend may use (libtensorflow's pools; tfjs-wasm is single-threaded anyway, which
   * is why `--jobs 2` is what uses both cores of a 2-core machine). Unset: the backend's default.
   */
  threads?: number;
}

const ENTRY = fileURLToPath(new URL('./point-process.ts', import.meta.url));
// The child runs our TypeScript through tsx's loader, resolved from this package so any cwd works.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const STDERR_TAIL = 2000; // characters of a child's stderr quoted when it dies without a result

/**
 * Runs each point in a child process (point-process.ts), so points run in parallel on separate cores and a
 * crash or a leak in one point cannot touch the others or the runner.
 */
export function childProcessExecutor(options: ChildExecutorOptions = {}): Executor {
  const env = { ...process.env };
  if (options.threads !== undefined) {
    // TensorFlow reads these when its first session starts; a user's own setting wins
    const n = String(options.threads);
    env.TF_NUM_INTRAOP_THREADS ??= n;
    env.TF_NUM_INTEROP_THREADS ??= '1';
    env.OMP_NUM_THREADS ??= n;
  }
  return (task, { signal, onProgress }) =>
    new Promise<PointOutcome>((resolve) => {
      const child = fork(ENTRY, [task.runDir, task.reports], {
        execArgv: ['--import', TSX_LOADER],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env,
      });
      let reply: Exclude<ChildMessage, { type: 'progress' }> | null = null;
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
      });
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'progress') onProgress(m.progress);
        else reply = m;
      });
      const abort = () => {
        if (child.connected) child.send({ type: 'abort' } satisfies ParentMessage);
      };
      signal.addEventListener('abort', abort, { once: true });
      if (signal.aborted) abort();
      let spawnError: Error | null = null;
      child.on('error', (err) => {
        spawnError = err;
      });
      child.on('close', (code, sig) => {
        signal.removeEventListener('abort', abort);
        const r = reply as typeof reply; // assigned in a callback: TypeScript cannot see it
        if (r?.type === 'done') return resolve({ status: r.status, error: null });
        if (r?.type === 'error') return resolve({ status: 'failed', error: r.message });
        // killed before it could answer, e.g. by Ctrl-C while it was still starting: resumable, not failed
        if (signal.aborted) return resolve({ status: 'interrupted', error: null });
        const how = spawnError !== null ? `could not start: ${spawnError.message}` : `exited with ${sig ?? `code ${String(code)}`} before reporting a result`;
        resolve({ status: 'failed', error: `point process ${how}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}` });
      });
    });
}
