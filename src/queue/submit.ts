import { FlowProducer, QueueEvents } from 'bullmq';
import type { Config } from '../config/schema.js';
import { planSweep, type SweepPlan } from '../config/sweep.js';
import { VaelabError } from '../errors.js';
import { resolveStages } from '../report/registry.js';
import { childPath, ensureDir } from '../run/paths.js';
import { writeSweepFile } from '../run/sweep-file.js';
import { lastingConnection, onceAMinute } from './connection.js';
import { PAYLOAD_FORMAT, pointJobId, POINTS, PREFIX, SweepResultSchema, SWEEPS, type PointJob, type SweepJob, type SweepResult } from './payloads.js';
import { isUnreadable, readJob } from './read-job.js';
import { openQueues, pointRow, type PointRow, type Queues } from './status.js';

export interface SubmitOptions {
  url: string;
  attempts: number; // tries per point before it counts as failed
  backoffMs?: number; // first retry delay, doubled each time
  detach: boolean; // enqueue and return, without waiting for the sweep to end
  out: string; // the submitter's experiments folder: sweep.json of the finished sweep goes there
  log: (message: string) => void;
  onRows?: (rows: PointRow[]) => void; // every time a point changes state
}

export interface Submitted {
  plan: SweepPlan;
  added: number; // jobs enqueued by this call: 0 when the sweep was queued before
  result: SweepResult | null; // null when detached
  sweepDir: string | null; // where this machine's sweep.json went
}

/**
 * Enqueues a sweep as one BullMQ flow: a parent on the sweeps queue (it writes sweep.json and the
 * comparison once every point has ended) and one child per point on the points queue. Job ids are
 * hashes, so a sweep submitted again adds nothing; unless detached, waits for the parent job and follows
 * the points through BullMQ's events.
 */
export async function submitSweep(config: Config, o: SubmitOptions): Promise<Submitted> {
  if (config.sweep === null) throw new VaelabError('--queue runs a sweep: this config has no sweep block');
  if (!Number.isInteger(o.attempts) || o.attempts < 1) throw new VaelabError(`--attempts must be a whole number >= 1, found ${o.attempts}`);
  const plan = planSweep(config);
  for (const p of plan.points) if (p.config.report.stages !== 'default' && p.config.report.stages.length > 0) resolveStages(p.config);
  const queues = await openQueues(o.url, 'submitter', o.log);
  try {
    const sweep: SweepJob = {
      formatVersion: PAYLOAD_FORMAT,
      sweep: { name: config.name, id: plan.id, keys: plan.keys },
      points: plan.points.map((p) => ({ name: p.name, values: p.values, jobId: pointJobId(plan.id, p.config) })),
    };
    const before = await readJob(queues.sweeps, plan.id);
    if (isUnreadable(before)) throw new VaelabError(`sweep job ${plan.id} at ${queues.q.shown}: ${before.unreadable} (remove it to submit this sweep again)`);
    const added = before === undefined ? await addFlow(queues, plan, sweep, o) : 0;
    o.log(`sweep ${config.name}/${plan.id}: ${plan.points.length} points, ${added === 0 ? 'queued before: nothing added' : `${added - 1} points queued`} at ${queues.q.shown}`);
    if (o.detach) return { plan, added, result: null, sweepDir: null };
    const result = await follow(queues, sweep, o);
    const sweepDir = ensureDir(childPath(o.out, config.name, plan.id), 'sweep folder');
    writeSweepFile(sweepDir, result.summary);
    return { plan, added, result, sweepDir };
  } finally {
    await queues.close();
  }
}

async function addFlow(queues: Queues, plan: SweepPlan, sweep: SweepJob, o: SubmitOptions): Promise<number> {
  const connection = lastingConnection(queues.q, 'submitter', o.log);
  const flows = new FlowProducer({ connection, prefix: PREFIX });
  flows.on('error', onceAMinute(queues.q, 'submitter', o.log));
  try {
    await flows.add({
      name: 'sweep',
      queueName: SWEEPS,
      data: sweep,
      opts: { jobId: plan.id, attempts: 2 }, // a parent fails only on a broken disk or report: one more try
      children: plan.points.map((p, i) => ({
        name: 'point',
        queueName: POINTS,
        data: { formatVersion: PAYLOAD_FORMAT, sweep: { name: sweep.sweep.name, id: plan.id }, point: { name: p.name, values: p.values }, config: p.config } satisfies PointJob,
        // ignoreDependencyOnFailure: a point that fails for good leaves the sweep to end partial, not stuck
        opts: { jobId: sweep.points[i]!.jobId, attempts: o.attempts, backoff: { type: 'exponential', delay: o.backoffMs ?? 5000 }, ignoreDependencyOnFailure: true },
      })),
    });
  } finally {
    await flows.close();
    connection.disconnect();
  }
  return plan.points.length + 1;
}

/** Waits for the parent job, redrawing the points' rows on every BullMQ event about one of them. */
async function follow(queues: Queues, sweep: SweepJob, o: SubmitOptions): Promise<SweepResult> {
  // QueueEvents blocks on its connection (XREAD), so each gets its own; XREAD resumes from the last event
  // id after a reconnect, so a Redis restart loses no event
  const connections = [lastingConnection(queues.q, 'submitter', o.log), lastingConnection(queues.q, 'submitter', o.log)];
  const pointEvents = new QueueEvents(POINTS, { connection: connections[0]!, prefix: PREFIX });
  const sweepEvents = new QueueEvents(SWEEPS, { connection: connections[1]!, prefix: PREFIX });
  for (const e of [pointEvents, sweepEvents]) e.on('error', onceAMinute(queues.q, 'submitter events', o.log));
  try {
    await Promise.all([pointEvents.waitUntilReady(), sweepEvents.waitUntilReady()]);
    const rows = await Promise.all(sweep.points.map((p) => pointRow(queues, p)));
    o.onRows?.(rows);
    const index = new Map(sweep.points.map((p, i) => [p.jobId, i]));
    const refresh = ({ jobId }: { jobId: string }) => {
      const i = index.get(jobId);
      if (i === undefined) return;
      void pointRow(queues, sweep.points[i]!)
        .then((row) => {
          rows[i] = row;
          o.onRows?.([...rows]);
        })
        .catch(() => {}); // Redis restarting: the next event redraws the row
    };
    for (const name of ['waiting', 'active', 'progress', 'completed', 'failed', 'delayed'] as const) pointEvents.on(name, refresh);
    const parent = await readJob(queues.sweeps, sweep.sweep.id);
    if (isUnreadable(parent)) throw new VaelabError(`sweep job ${sweep.sweep.id} at ${queues.q.shown}: ${parent.unreadable}`);
    if (parent === undefined) throw new VaelabError(`sweep ${sweep.sweep.id} is gone from the queue at ${queues.q.shown} (removed meanwhile?)`);
    const value: unknown = await parent.waitUntilFinished(sweepEvents);
    const result = SweepResultSchema.safeParse(value);
    if (!result.success) throw new VaelabError(`sweep ${sweep.sweep.id} finished, but its result is not one this version reads`);
    return result.data;
  } finally {
    await Promise.all([pointEvents.close(), sweepEvents.close()]);
    for (const c of connections) c.disconnect();
  }
}
