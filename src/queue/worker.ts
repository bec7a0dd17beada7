import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { BackendRequest } from '../config/schema.js';
import { describeError, VaelabError } from '../errors.js';
import { ensureWritableDir } from '../run/paths.js';
import { childProcessExecutor } from '../sweep/child-executor.js';
import type { Executor } from '../sweep/executor.js';
import { checkReachable, lastingConnection, onceAMinute, parseQueueUrl } from './connection.js';
import { POINTS, PREFIX, SWEEPS, type PointProgress, type PointResult } from './payloads.js';
import { readPointJob, trainPoint, type PointWorkerOptions } from './point-job.js';
import { CheckedWorker } from './read-job.js';
import '../models/families/index.js'; // the built-in model families' config sections, before any config is read

export interface WorkerSettings {
  url: string;
  out: string;
  reports: string;
  concurrency: number; // points trained at once on this machine
  backend: BackendRequest | null;
  dataRoot: string | null;
  log: (message: string) => void;
  /** How a point trains; default a child process per point (src/jobs). The bench swaps in a no-op. */
  executor?: Executor;
}

/**
 * The lock. Training runs in a child process (src/jobs), so this process's event loop stays free and
 * BullMQ renews each job's lock every lockDuration / 2 whatever the point computes: a renewal fails only
 * when this process is gone or Redis is. So the lock can be short, and a point of a worker killed with
 * kill -9 is seen stalled and handed to another worker within LOCK_MS + STALLED_MS. A Redis outage longer
 * than LOCK_MS loses the lock; the point is then aborted here (checkpointed) and resumed by whoever
 * takes it next. maxStalledCount 3: a point is failed only after its worker died three times running it.
 */
export const LOCK_MS = 10_000;
export const STALLED_MS = 5_000;
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SANDBOX = new URL('./sweep-sandbox.ts', import.meta.url);

export interface RunningWorker {
  /** SIGTERM/Ctrl-C: running points checkpoint and go back to the queue, then the workers close. */
  stop(): Promise<void>;
  closed: Promise<void>;
}

export async function startWorker(s: WorkerSettings): Promise<RunningWorker> {
  const q = parseQueueUrl(s.url);
  const out = ensureWritableDir(s.out, '--out');
  const reports = ensureWritableDir(s.reports, '--reports');
  await checkReachable(q);
  const host = hostname();
  const shutdown = new AbortController();
  const running = new Map<string, AbortController>(); // job id -> its point's abort
  const options: PointWorkerOptions = {
    out,
    reports,
    host,
    backend: s.backend,
    dataRoot: s.dataRoot === null ? null : resolve(s.dataRoot),
    executor: s.executor ?? childProcessExecutor({ threads: Math.max(1, Math.floor(availableParallelism() / s.concurrency)) }),
  };

  const processPoint = async (job: Job, token?: string): Promise<PointResult> => {
    let point;
    try {
      point = readPointJob(job.data, job.id, options);
    } catch (err) {
      if (err instanceof VaelabError) throw new UnrecoverableError(err.message); // the same payload fails the same way: no retry
      throw err;
    }
    const abort = new AbortController();
    running.set(job.id!, abort);
    const stop = () => abort.abort();
    shutdown.signal.addEventListener('abort', stop, { once: true });
    s.log(`[${point.point.name}] attempt ${job.attemptsMade + 1} on ${host}`);
    try {
      // progress is advisory (status, the submitter's bar): a write lost to a Redis restart is not an error
      const report = (p: PointProgress) => void job.updateProgress(p).catch(() => {});
      const result = await trainPoint(point, abort.signal, options, report);
      const { entry } = result;
      s.log(`[${entry.name}] ${entry.action === 'skipped' ? 'completed earlier: skipped' : entry.status}${entry.error === null ? '' : `: ${entry.error}`}`);
      if (entry.status === 'completed') return result;
      if (entry.status === 'failed') throw new Error(entry.error ?? 'failed without a message');
      // interrupted: checkpointed; on shutdown the job goes back to the queue at once for another worker
      if (shutdown.signal.aborted && token !== undefined) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw new Error(`interrupted on ${host} after its lock was lost; resumed from its checkpoint on the next attempt`);
    } finally {
      running.delete(job.id!);
      shutdown.signal.removeEventListener('abort', stop);
    }
  };

  const connection = lastingConnection(q, 'worker', s.log);
  const common = { connection, prefix: PREFIX, lockDuration: LOCK_MS, stalledInterval: STALLED_MS, maxStalledCount: 3 };
  const points = new CheckedWorker<PointResult>(POINTS, processPoint, { ...common, concurrency: s.concurrency, autorun: false });
  const sweeps = new CheckedWorker(SWEEPS, SANDBOX, {
    ...common,
    concurrency: 1,
    autorun: false,
    workerForkOptions: { execArgv: ['--import', TSX_LOADER], env: { ...process.env, VAELAB_WORKER_OUT: out, VAELAB_WORKER_REPORTS: reports } },
  });
  for (const [w, role] of [[points, 'points worker'], [sweeps, 'sweeps worker']] as const) {
    w.on('error', onceAMinute(q, role, s.log));
    w.on('failed', (job, err) => {
      if (job !== undefined && !(err instanceof WaitingError)) s.log(`${role}: job ${job.id} attempt ${job.attemptsMade} failed: ${describeError(err)}`);
    });
  }
  // A lock lost while training means another worker may take the point: stop ours at its next step.
  points.on('lockRenewalFailed', (ids) => {
    for (const id of ids) running.get(id)?.abort();
  });
  const closed = Promise.all([points.run(), sweeps.run()]).then(() => {});
  await Promise.all([points.waitUntilReady(), sweeps.waitUntilReady()]);
  s.log(`worker on ${host}: ${s.concurrency} point(s) at a time from ${q.shown}, run directories in ${out}`);
  let stopping: Promise<void> | null = null;
  return {
    closed,
    stop: () =>
      (stopping ??= (async () => {
        shutdown.abort();
        await Promise.all([points.close(), sweeps.close()]);
        connection.disconnect();
      })()),
  };
}
