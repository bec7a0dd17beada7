import { describeError } from '../errors.js';
import { JobLostError, launchJob } from '../jobs/launch.js';
import type { Executor, PointOutcome } from './executor.js';

export interface ChildExecutorOptions {
  /**
   * Threads each point's backend may use (libtensorflow's pools; tfjs-wasm is single-threaded anyway, which
   * is why `--jobs 2` is what uses both cores of a 2-core machine). Unset: the backend's default.
   */
  threads?: number;
}

/**
 * Runs each point as a job in a child process (src/jobs), so points run in parallel on separate cores and a
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
  return async (task, { signal, onProgress }): Promise<PointOutcome> => {
    const job = launchJob(
      { kind: 'resume', runDir: task.runDir, reports: task.reports, console: null, progressEveryMs: 1000 },
      { where: 'process', onProgress, env },
    );
    const abort = () => job.abort();
    signal.addEventListener('abort', abort, { once: true });
    if (signal.aborted) abort();
    try {
      const result = await job.result;
      return { status: result.status, error: null };
    } catch (err) {
      // killed before it could answer, e.g. by Ctrl-C while it was still starting: resumable, not failed
      if (err instanceof JobLostError && err.aborted) return { status: 'interrupted', error: null };
      return { status: 'failed', error: describeError(err) };
    } finally {
      signal.removeEventListener('abort', abort);
    }
  };
}
