import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PlannedPoint } from '../config/sweep.js';
import { describeError } from '../errors.js';
import { readEvalMetrics } from '../run/eval-metrics.js';
import { refuseLinks } from '../run/no-follow.js';
import { createRunDirAt, readRunInfo, type RunStatus } from '../run/run-dir.js';
import { pointMetrics, type SweepFile, type SweepPointEntry } from '../run/sweep-file.js';
import type { Progress } from '../train/trainer.js';
import type { Executor, PointOutcome } from './executor.js';

/**
 * One point of a sweep, from its run directory's state to its summary entry: the part a local sweep's
 * lanes and a queue worker share. A point already completed on disk is not run again.
 */
export interface RunPointOptions {
  executor: Executor;
  reports: string;
  signal: AbortSignal;
  onStart?: (action: 'new' | 'resumed', runDir: string) => void;
  onProgress?: (p: Progress) => void;
}

/** The entry of a point before anything runs in this invocation: completed ones are skipped. */
export function initialEntry(sweepDir: string, p: Pick<PlannedPoint, 'name' | 'values'>): SweepPointEntry {
  const runDir = join(sweepDir, p.name);
  let status: RunStatus | null = null;
  try {
    status = existsSync(join(runDir, 'run.json')) ? readRunInfo(runDir).status : null;
  } catch {
    status = null; // an unreadable run.json: the point runs again, and its error (if any) shows then
  }
  const done = status === 'completed';
  return {
    name: p.name,
    values: p.values,
    runDir: p.name,
    status: done ? 'completed' : 'pending',
    action: done ? 'skipped' : null,
    error: null,
    seconds: null,
    metrics: done ? metricsOf(runDir) : null,
  };
}

/**
 * Runs a point that is not completed: creates its run directory (config.yaml, run.json) when it has none,
 * hands it to the executor, and fills in `entry` (mutated, so a caller's summary stays current).
 */
export async function runPoint(sweepDir: string, point: PlannedPoint, entry: SweepPointEntry, options: RunPointOptions): Promise<SweepPointEntry> {
  const runDir = join(sweepDir, point.name);
  refuseLinks([runDir]); // a point folder linked elsewhere (rsync -a) would train outside the sweep's folder
  const action = existsSync(join(runDir, 'run.json')) ? 'resumed' : 'new';
  if (action === 'new') createRunDirAt(runDir, point.config);
  Object.assign(entry, { status: 'running', action, error: null, seconds: null, metrics: null });
  options.onStart?.(action, runDir);
  const t0 = performance.now();
  let outcome: PointOutcome;
  try {
    outcome = await options.executor(
      { name: point.name, runDir, config: point.config, reports: options.reports },
      { signal: options.signal, onProgress: options.onProgress ?? (() => {}) },
    );
  } catch (err) {
    outcome = { status: 'failed', error: describeError(err) }; // an executor should not throw; if it does, this point fails alone
  }
  entry.status = outcome.status;
  entry.error = outcome.status === 'failed' ? (outcome.error ?? runError(runDir) ?? 'failed without a message') : null;
  entry.seconds = (performance.now() - t0) / 1000;
  entry.metrics = outcome.status === 'completed' ? metricsOf(runDir) : null;
  return entry;
}

/**
 * A sweep's status from its points: interrupted while any point is unfinished; partial when some point
 * failed and another completed; failed when every point that ended failed.
 */
export function sweepStatus(points: readonly SweepPointEntry[], aborted: boolean): SweepFile['status'] {
  const statuses = points.map((p) => p.status);
  if (aborted || statuses.some((s) => s === 'interrupted' || s === 'pending' || s === 'running')) return 'interrupted';
  if (!statuses.includes('failed')) return 'completed';
  return statuses.includes('completed') ? 'partial' : 'failed';
}

export function metricsOf(runDir: string): SweepPointEntry['metrics'] {
  try {
    const m = readEvalMetrics(runDir);
    return m === null ? null : pointMetrics(m);
  } catch {
    return null; // a run made before metrics.json existed, or a damaged file: the table shows a dash
  }
}

function runError(runDir: string): string | null {
  try {
    return readRunInfo(runDir).error;
  } catch {
    return null;
  }
}
