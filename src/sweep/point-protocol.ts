import type { Progress } from '../train/trainer.js';

/** Messages between the sweep runner and a point's child process (point-process.ts), over Node's IPC. */
export type ParentMessage = { type: 'abort' };

export type ChildMessage =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; status: 'completed' | 'interrupted' }
  | { type: 'error'; message: string };
