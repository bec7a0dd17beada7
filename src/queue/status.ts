import { Queue } from 'bullmq';
import { VaelabError } from '../errors.js';
import { checkReachable, lastingConnection, onceAMinute, parseQueueUrl, type QueueUrl } from './connection.js';
import { PointProgressSchema, PointResultSchema, POINTS, PREFIX, SweepJobSchema, SWEEPS, type SweepJob } from './payloads.js';
import { printable } from './printable.js';
import { isUnreadable, readJob } from './read-job.js';

/** A point as `run status` and the submitter's progress show it. */
export interface PointRow {
  name: string;
  jobId: string;
  state: string; // BullMQ's: waiting, delayed, active, completed, failed (unknown: removed from Redis; unreadable: not JSON)
  host: string | null;
  backend: string | null;
  attempts: number;
  epoch: number | null;
  epochs: number | null;
  testNegElbo: number | null;
  fd: number | null; // of a completed point that measured sample quality
  linearProbe: number | null; // of a completed point that probed its latent space
  error: string | null;
}

export interface SweepRow {
  id: string;
  name: string;
  state: string;
  points: number;
}

/** The sweeps list, less the jobs on the sweeps queue that are not vaelab sweeps, each named with why. */
export interface SweepList {
  rows: SweepRow[];
  skipped: { id: string; reason: string }[];
}

export interface Queues {
  q: QueueUrl;
  points: Queue;
  sweeps: Queue;
  close(): Promise<void>;
}

/** The two queues over one connection that reconnects; `role` names it in the log. */
export async function openQueues(url: string, role: string, log: (m: string) => void): Promise<Queues> {
  const q = parseQueueUrl(url);
  await checkReachable(q);
  const connection = lastingConnection(q, role, log);
  const points = new Queue(POINTS, { connection, prefix: PREFIX });
  const sweeps = new Queue(SWEEPS, { connection, prefix: PREFIX });
  points.on('error', onceAMinute(q, role, log));
  sweeps.on('error', onceAMinute(q, role, log));
  return {
    q,
    points,
    sweeps,
    close: async () => {
      await Promise.all([points.close(), sweeps.close()]);
      connection.disconnect();
    },
  };
}

export async function sweepJobData(queues: Queues, sweepId: string): Promise<SweepJob> {
  const job = await readJob(queues.sweeps, sweepId);
  if (job === undefined) throw new VaelabError(`no sweep ${sweepId} in the queue at ${queues.q.shown} (run status without a sweep id lists them)`);
  if (isUnreadable(job)) throw new VaelabError(`sweep job ${sweepId} at ${queues.q.shown}: ${job.unreadable}`);
  const parsed = SweepJobSchema.safeParse(job.data);
  if (!parsed.success) throw new VaelabError(`job ${sweepId} at ${queues.q.shown} is not a vaelab sweep: ${notASweep(parsed.error)}`);
  return parsed.data;
}

function notASweep(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0]!;
  return `${issue.path.map(String).join('.') || 'data'}: ${issue.message}`;
}

export async function pointRow(queues: Queues, p: SweepJob['points'][number]): Promise<PointRow> {
  const row: PointRow = { name: p.name, jobId: p.jobId, state: 'unknown', host: null, backend: null, attempts: 0, epoch: null, epochs: null, testNegElbo: null, fd: null, linearProbe: null, error: null };
  const job = await readJob(queues.points, p.jobId);
  if (job === undefined) return row;
  if (isUnreadable(job)) return { ...row, state: 'unreadable', error: job.unreadable };
  row.state = await job.getState();
  row.attempts = job.attemptsMade;
  row.error = job.failedReason === undefined || job.failedReason === '' ? null : job.failedReason;
  const progress = PointProgressSchema.safeParse(job.progress);
  if (progress.success) Object.assign(row, { host: progress.data.host, backend: progress.data.backend, epoch: progress.data.epoch, epochs: progress.data.epochs, testNegElbo: progress.data.testNegElbo });
  const result = PointResultSchema.safeParse(job.returnvalue);
  if (row.state === 'completed' && result.success) {
    const m = result.data.entry.metrics;
    Object.assign(row, { host: result.data.host, backend: result.data.backend, testNegElbo: m?.testNegElbo ?? row.testNegElbo, fd: m?.fd ?? null, linearProbe: m?.linearProbe ?? null, error: null });
  }
  return row;
}

/** The newest 200 sweeps of each state; a job that is not a readable vaelab sweep is skipped, not fatal. */
export async function sweepRows(queues: Queues): Promise<SweepList> {
  const ids = [...new Set(await queues.sweeps.getRanges(['waiting-children', 'waiting', 'delayed', 'active', 'completed', 'failed'], 0, 199))];
  const skipped: SweepList['skipped'] = [];
  const rows = await Promise.all(
    ids.map(async (id) => {
      const job = await readJob(queues.sweeps, id);
      if (job === undefined) return null; // removed meanwhile
      if (isUnreadable(job)) {
        skipped.push({ id, reason: job.unreadable });
        return null;
      }
      const data = SweepJobSchema.safeParse(job.data);
      if (!data.success) {
        skipped.push({ id, reason: `not a vaelab sweep: ${notASweep(data.error)}` });
        return null;
      }
      return { id, name: data.data.sweep.name, state: await job.getState(), points: data.data.points.length, at: job.timestamp };
    }),
  );
  return { rows: rows.flatMap((r) => (r === null ? [] : [r])).sort((a, b) => b.at - a.at).map(({ at: _at, ...r }) => r), skipped };
}

/** A state's group in the submitter's bar. */
export function stateGroup(state: string): 'waiting' | 'active' | 'done' | 'failed' {
  return state === 'active' ? 'active' : state === 'completed' ? 'done' : state === 'failed' ? 'failed' : 'waiting';
}

/** `status` without a sweep id: one line a sweep, every field escaped (it came from Redis). */
export function formatSweepRows(rows: readonly SweepRow[]): string {
  return rows.map((r) => printable(`${r.id}  ${r.name}  ${r.state}  ${r.points} points`)).join('\n');
}

/** `status <sweep id>`: the points' table, every cell escaped (it came from Redis). */
export function formatPointRows(rows: readonly PointRow[]): string {
  // FD and probe accuracy appear once some point has them
  const fd = rows.some((r) => r.fd !== null);
  const probe = rows.some((r) => r.linearProbe !== null);
  const header = ['point', 'state', 'host', 'backend', 'attempts', 'epoch', 'test -ELBO', ...(fd ? ['FD'] : []), ...(probe ? ['probe'] : []), 'error'];
  const cells = rows.map((r) =>
    [
      r.name,
      r.state,
      r.host ?? '-',
      r.backend ?? '-',
      String(r.attempts),
      r.epoch === null ? '-' : `${r.epoch}/${r.epochs ?? '?'}`,
      r.testNegElbo === null ? '-' : r.testNegElbo.toFixed(2),
      ...(fd ? [r.fd === null ? '-' : r.fd.toFixed(1)] : []),
      ...(probe ? [r.linearProbe === null ? '-' : `${(100 * r.linearProbe).toFixed(1)}%`] : []),
      r.error === null ? '' : r.error.replace(/\s+/g, ' ').slice(0, 120),
    ].map((cell) => printable(cell)),
  );
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c]!.length)));
  return [header, ...cells].map((line) => line.map((cell, c) => (c === line.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}
