import type { Config } from '../config/schema.js';
import type { PipelineResult } from '../pipeline.js';
import type { Progress } from '../train/trainer.js';

/** What the CLI asks its training worker to do. */
export type WorkerRequest = (
  | { kind: 'train'; config: Config; out: string; reports: string }
  | { kind: 'resume'; runDir: string; reports: string }
) & { colorize: boolean }; // a worker's stderr is never a TTY: the main thread tells it

/** Messages from the worker. Errors cross as data: classes do not survive structured cloning. */
export type WorkerMessage =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: PipelineResult }
  | { type: 'error'; error: { kind: 'user' | 'divergence' | 'bug'; message: string; stack: string | undefined } };

export type MainMessage = { type: 'abort' };
