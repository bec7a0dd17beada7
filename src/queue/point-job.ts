import { existsSync, realpathSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { parseConfig } from '../config/load.js';
import type { BackendRequest, Config } from '../config/schema.js';
import { ConfigError, VaelabError } from '../errors.js';
import { acquireLock } from '../run/lock.js';
import { childPath, ensureDir } from '../run/paths.js';
import { readRunInfo } from '../run/run-dir.js';
import type { Executor } from '../sweep/executor.js';
import { plannedEpochs } from '../config/schedule.js';
import { initialEntry, runPoint } from '../sweep/point.js';
import type { Progress } from '../train/trainer.js';
import { UnreadableData } from './read-job.js';
import { MAX_PAYLOAD_CHARS, PAYLOAD_FORMAT, pointJobId, PointJobSchema, type PointJob, type PointProgress, type PointResult } from './payloads.js';

export interface PointWorkerOptions {
  out: string; // run directories go to <out>/<name>/<sweep id>/<point>/
  reports: string;
  host: string;
  backend: BackendRequest | null; // --backend: replaces the config's choice on this machine
  dataRoot: string | null; // --data: the one folder a job's data.dir may point into
  executor: Executor;
}

/** How long a point waits for its run's lock: a killed worker's training process checkpoints its step first. */
const RUN_LOCK_WAIT_MS = 120_000;

/**
 * A job's payload, proven to be one of ours before anything uses it: its size, its shape, its config by
 * the CLI's own schema, its id against the hash of that config, and every path it names.
 */
export function readPointJob(data: unknown, jobId: string | undefined, options: Pick<PointWorkerOptions, 'dataRoot'>): PointJob {
  if (data instanceof UnreadableData) throw new VaelabError(`job ${jobId}: ${data.reason}: refused`);
  const size = JSON.stringify(data ?? null).length;
  if (size > MAX_PAYLOAD_CHARS) throw new VaelabError(`job ${jobId}: payload of ${size} characters is over the limit of ${MAX_PAYLOAD_CHARS}: refused`);
  const shape = PointJobSchema.safeParse(data);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    throw new VaelabError(`job ${jobId}: not a vaelab point (format ${PAYLOAD_FORMAT}): ${issue.path.join('.') || 'payload'}: ${issue.message}`);
  }
  let config: Config;
  try {
    config = parseConfig(shape.data.config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new VaelabError(`job ${jobId}: invalid config: ${err.issues.map((i) => `${i.path || 'config'}: ${i.message}`).join('; ')}`);
  }
  const { sweep, point } = shape.data;
  if (config.sweep !== null) throw new VaelabError(`job ${jobId}: config.sweep: a point's config has no sweep of its own`);
  if (config.name !== sweep.name) throw new VaelabError(`job ${jobId}: config.name ${JSON.stringify(config.name)} is not the sweep's name ${JSON.stringify(sweep.name)}`);
  if (jobId !== pointJobId(sweep.id, config)) throw new VaelabError(`job ${jobId}: its id is not the hash of its config: refused`);
  if (config.data.dir !== null) checkDataDir(config.data.dir, jobId, options.dataRoot);
  return { ...shape.data, config };
}

function checkDataDir(dir: string, jobId: string | undefined, root: string | null): void {
  if (root === null) throw new VaelabError(`job ${jobId}: data.dir ${dir}: this worker reads a job's data.dir only inside its --data DIR, and was started without one`);
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  const rel = relative(real(root), real(dir));
  if (!isAbsolute(dir) || rel.startsWith('..') || isAbsolute(rel)) throw new VaelabError(`job ${jobId}: data.dir ${dir} is outside this worker's --data ${root}: refused`);
}

/**
 * Trains one point into `<out>`: skipped when its run completed already (a resubmitted sweep, or a job
 * finished by a worker that died before it could say so), else created or resumed from its checkpoint.
 */
export async function trainPoint(job: PointJob, signal: AbortSignal, options: PointWorkerOptions, report: (p: PointProgress) => void): Promise<PointResult> {
  const sweepDir = ensureDir(childPath(options.out, job.sweep.name, job.sweep.id), 'sweep folder');
  const runDir = childPath(sweepDir, job.point.name);
  const config = options.backend === null ? job.config : { ...job.config, backend: options.backend };
  const entry = initialEntry(sweepDir, job.point);
  const result = (): PointResult => ({ entry, host: options.host, backend: backendOf(runDir), runDir });
  if (entry.status === 'completed') return result();
  if (existsSync(join(runDir, 'run.json'))) (await acquireLock(join(runDir, '.lock'), `run ${runDir}`, RUN_LOCK_WAIT_MS)).release();
  let backend: string | null = null;
  const onProgress = (p: Progress) => {
    if (p.type !== 'epoch') return;
    backend ??= backendOf(runDir);
    report({ host: options.host, backend, epoch: p.metrics.epoch, epochs: plannedEpochs(config.train), testNegElbo: p.metrics.test.negElbo });
  };
  report({ host: options.host, backend: null, epoch: 0, epochs: plannedEpochs(config.train), testNegElbo: null });
  await runPoint(sweepDir, { name: job.point.name, values: job.point.values, config }, entry, { executor: options.executor, reports: options.reports, signal, onProgress });
  return result();
}

function backendOf(runDir: string): string | null {
  try {
    return readRunInfo(runDir).backend?.name ?? null;
  } catch {
    return null; // no run.json yet
  }
}
