import type { Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import { resume } from '../jobs/pipeline.js';
import type { Progress } from '../train/trainer.js';

/**
 * How a sweep runs one point. The runner decides what to run and when, and creates the point's run
 * directory (config.yaml, run.json) before calling the executor; the executor trains it to the end, from
 * its checkpoint if it has one. This is the seam for other executors: a child process per point (the
 * CLI's, child-executor.ts), this process (tests, notebooks), or a job queue whose workers run the same job.
 */
export interface PointTask {
  name: string;
  runDir: string; // absolute; holds the point's resolved config.yaml
  config: Config; // the same config, already parsed
  reports: string; // where the point's report goes, if its config asks for one
}

export interface PointContext {
  signal: AbortSignal; // abort: checkpoint and return status interrupted
  onProgress: (p: Progress) => void;
}

/** A point that fails is an outcome, not an exception: the sweep goes on with the others. */
export interface PointOutcome {
  status: 'completed' | 'interrupted' | 'failed';
  error: string | null;
}

export type Executor = (task: PointTask, context: PointContext) => Promise<PointOutcome>;

/** Runs the point in this process, one at a time per process (tfjs has one backend per process). */
export const inProcessExecutor: Executor = async (task, { signal, onProgress }) => {
  try {
    const result = await resume(task.runDir, { signal, onProgress, reports: task.reports });
    return { status: result.status, error: null };
  } catch (err) {
    return { status: 'failed', error: describeError(err) };
  }
};
