import type { Config } from '../config/schema.js';
import type { ErrorData } from '../errors.js';
import type { Progress } from '../train/trainer.js';
import type { PipelineResult } from './pipeline.js';

/**
 * One job is one training run, start to report: the unit the CLI runs in a worker thread, a local sweep
 * runs in a child process per point, and a queue worker will run for each job it takes.
 */
export type JobRequest = (
  | { kind: 'train'; config: Config; out: string } // a new run directory under `out`
  | { kind: 'resume'; runDir: string } // an existing one, fresh (a sweep point) or from its checkpoint
) & {
  reports: string;
  /** Pretty log lines on stderr (the CLI's); null: the run's log.jsonl only. A job's stderr is never a TTY: the launcher says. */
  console: { colorize: boolean } | null;
  /** Step progress is sent at most this often (epoch ends always). */
  progressEveryMs: number;
};

/** From the job to its launcher. Errors cross as data: classes do not survive structured cloning. */
export type JobMessage =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: PipelineResult }
  | { type: 'error'; error: ErrorData };

/**
 * From the launcher to the job: a child process gets its request as the first message (argv has a size
 * limit); abort means finish the step, write a checkpoint, end as interrupted.
 */
export type ControlMessage = { type: 'start'; request: JobRequest } | { type: 'abort' };
