import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VaelabError } from '../errors.js';
import { buildComparison } from '../report/compare/index.js';
import { childPath, ensureDir } from '../run/paths.js';
import { SWEEP_FORMAT, writeSweepFile, type SweepFile, type SweepPointEntry } from '../run/sweep-file.js';
import { sweepStatus } from '../sweep/point.js';
import { MAX_PAYLOAD_CHARS, POINTS, PointResultSchema, PREFIX, SweepJobSchema, type SweepResult } from './payloads.js';

/** The parts of a BullMQ job (sandboxed or not) that the end of a sweep needs. */
export interface SweepJobHandle {
  id?: string;
  data: unknown;
  timestamp: number;
  getChildrenValues(): Promise<Record<string, unknown>>;
  getIgnoredChildrenFailures(): Promise<Record<string, string>>;
}

/**
 * The sweep's parent job, run once its last point has ended (completed or failed for good): sweep.json
 * from the points' return values, then the comparison report of the points this machine holds. BullMQ
 * runs a parent once, so the report is built once.
 */
export async function finishSweep(job: SweepJobHandle, out: string, reports: string, log: (m: string) => void): Promise<SweepResult> {
  const size = JSON.stringify(job.data ?? null).length;
  if (size > MAX_PAYLOAD_CHARS * 64) throw new VaelabError(`sweep job ${job.id}: payload of ${size} characters is over the limit: refused`);
  const parsed = SweepJobSchema.safeParse(job.data);
  if (!parsed.success) throw new VaelabError(`sweep job ${job.id}: not a vaelab sweep: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const { sweep, points } = parsed.data;
  const values = await job.getChildrenValues();
  const failures = await job.getIgnoredChildrenFailures();
  const entries = points.map((p): SweepPointEntry => {
    const key = `${PREFIX}:${POINTS}:${p.jobId}`;
    const result = PointResultSchema.safeParse(values[key]);
    if (result.success) return result.data.entry;
    const base = { name: p.name, values: p.values, runDir: p.name, action: null, seconds: null, metrics: null };
    if (key in failures) return { ...base, status: 'failed', error: failures[key] ?? 'failed without a message' };
    return { ...base, status: 'pending', error: key in values ? 'its worker returned a summary this version cannot read' : null };
  });
  const summary: SweepFile = {
    formatVersion: SWEEP_FORMAT,
    name: sweep.name,
    id: sweep.id,
    status: sweepStatus(entries, false),
    keys: sweep.keys,
    jobs: 0, // queued: as many at once as the workers take
    createdAt: new Date(job.timestamp).toISOString(),
    updatedAt: new Date().toISOString(),
    points: entries,
  };
  const sweepDir = ensureDir(childPath(out, sweep.name, sweep.id), 'sweep folder');
  writeSweepFile(sweepDir, summary);
  // points trained on machines that share no disk with this one are not here: README says how to gather them
  const here = entries.filter((e) => existsSync(join(sweepDir, e.runDir, 'run.json'))).map((e) => e.name);
  const comparison: SweepResult['comparison'] = { indexPath: null, error: null, points: here };
  if (entries.some((e) => e.status === 'completed') && here.length > 0) {
    try {
      comparison.indexPath = (await buildComparison([sweepDir], reports, { experiments: out, log })).indexPath;
    } catch (err) {
      comparison.error = (err as Error).message; // the runs are saved: `npx tsx run compare <sweepDir>` retries it
      log(`comparison of ${sweepDir} failed: ${comparison.error}`);
    }
  }
  return { summary, host: hostname(), sweepDir, comparison };
}
