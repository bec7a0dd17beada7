import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Config } from '../config/schema.js';
import { planSweep, type PlannedPoint, type SweepPlan } from '../config/sweep.js';
import { VaelabError } from '../errors.js';
import { resolveStages } from '../report/registry.js';
import { writeFileAtomic } from '../run/atomic.js';
import { acquireLock } from '../run/lock.js';
import { childPath, ensureDir } from '../run/paths.js';
import { SWEEP_FORMAT, writeSweepFile, type SweepFile, type SweepPointEntry } from '../run/sweep-file.js';
import type { Progress } from '../train/trainer.js';
import { childProcessExecutor } from './child-executor.js';
import type { Executor } from './executor.js';
import { initialEntry, runPoint, sweepStatus } from './point.js';

export interface SweepOptions {
  out?: string; // experiments/
  reports?: string; // reports/
  jobs?: number; // points run at once (default 1)
  /** How a point runs; default one child process per point. */
  executor?: Executor;
  /** Abort: running points checkpoint and stop, no new point starts; a rerun resumes them. */
  signal?: AbortSignal;
  onEvent?: (e: SweepEvent) => void;
}

export type SweepEvent =
  | { type: 'plan'; sweepDir: string; points: number; toRun: number; jobs: number }
  | { type: 'start'; point: string; action: 'new' | 'resumed'; runDir: string }
  | { type: 'progress'; point: string; progress: Progress }
  | { type: 'end'; point: SweepPointEntry };

export interface SweepResult {
  sweepDir: string;
  summary: SweepFile;
}

/**
 * Runs every point of `config.sweep` as a normal run in experiments/<name>/<sweep id>/<point>/. The sweep
 * id comes from the resolved config, so running the same sweep again finds its folder: completed points
 * are skipped, interrupted and failed ones continue from their checkpoints. A failing point does not stop
 * the others. sweep.json (src/run/sweep-file.ts) is kept current throughout.
 */
export async function runSweep(config: Config, options: SweepOptions = {}): Promise<SweepResult> {
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new VaelabError(`jobs must be a whole number >= 1, found ${jobs}`);
  const plan = planSweep(config);
  // A typo in report.stages fails now, before the training it would otherwise follow.
  for (const p of plan.points) if (p.config.report.stages !== 'default' && p.config.report.stages.length > 0) resolveStages(p.config);
  const sweepDir = ensureDir(childPath(options.out ?? 'experiments', config.name, plan.id), 'sweep folder');
  // the same sweep started twice at once would train every point twice into the same folders
  const lock = await acquireLock(join(sweepDir, '.lock'), `sweep ${sweepDir}`);
  try {
    return await runPlan(config, plan, sweepDir, jobs, options);
  } finally {
    lock.release();
  }
}

async function runPlan(config: Config, plan: SweepPlan, sweepDir: string, jobs: number, options: SweepOptions): Promise<SweepResult> {
  if (!existsSync(join(sweepDir, 'config.yaml'))) writeFileAtomic(join(sweepDir, 'config.yaml'), `# resolved config of ${plan.id}\n${stringify(config)}`);

  const now = new Date().toISOString();
  const summary: SweepFile = {
    formatVersion: SWEEP_FORMAT,
    name: config.name,
    id: plan.id,
    status: 'running',
    keys: plan.keys,
    jobs,
    createdAt: now,
    updatedAt: now,
    points: plan.points.map((p) => initialEntry(sweepDir, p)),
  };
  const save = () => writeSweepFile(sweepDir, { ...summary, updatedAt: new Date().toISOString() });
  save();
  const emit = options.onEvent ?? (() => {});
  const todo = plan.points.filter((_, i) => summary.points[i]!.status !== 'completed');
  emit({ type: 'plan', sweepDir, points: plan.points.length, toRun: todo.length, jobs });
  for (const entry of summary.points) if (entry.action === 'skipped') emit({ type: 'end', point: entry });

  const signal = options.signal ?? new AbortController().signal;
  const executor = options.executor ?? childProcessExecutor({ threads: Math.max(1, Math.floor(availableParallelism() / jobs)) });
  const runOne = async (point: PlannedPoint) => {
    const entry = summary.points.find((e) => e.name === point.name)!;
    await runPoint(sweepDir, point, entry, {
      executor,
      reports: options.reports ?? 'reports',
      signal,
      onStart: (action, runDir) => {
        save();
        emit({ type: 'start', point: point.name, action, runDir });
      },
      onProgress: (progress) => emit({ type: 'progress', point: point.name, progress }),
    });
    save();
    emit({ type: 'end', point: entry });
  };

  let next = 0;
  const lane = async () => {
    while (!signal.aborted && next < todo.length) await runOne(todo[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, lane));

  summary.status = sweepStatus(summary.points, signal.aborted);
  save();
  return { sweepDir, summary: { ...summary } };
}
