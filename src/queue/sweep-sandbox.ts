import * as tf from '@tensorflow/tfjs';
import type { SandboxedJob } from 'bullmq';
import { finishSweep } from './sweep-job.js';
import type { SweepResult } from './payloads.js';

/**
 * BullMQ's sandboxed processor for a sweep's parent job: the comparison report draws its figures with
 * tfjs, seconds of CPU that in the worker's own process would hold up the lock renewals of the points it
 * runs. BullMQ forks this file per job and renews the lock from the worker; the worker passes its --out
 * and --reports in the environment, the one channel a sandboxed processor has besides the job.
 */
// BullMQ's child does not end when its worker dies (kill -9, or a worker exiting mid-job): its replies to
// the worker then fail, each failure re-enters its uncaughtException handler, and the orphan spins at full
// CPU with growing memory for ever. Without a worker the job is the queue's to retry (stalled), so end here.
process.once('disconnect', () => process.exit(1));

export default async function processSweep(job: SandboxedJob): Promise<SweepResult> {
  tf.enableProdMode();
  const out = process.env['VAELAB_WORKER_OUT'];
  const reports = process.env['VAELAB_WORKER_REPORTS'];
  if (out === undefined || reports === undefined) throw new Error('sweep-sandbox.ts runs under a vaelab worker, which sets VAELAB_WORKER_OUT and VAELAB_WORKER_REPORTS');
  return await finishSweep(job, out, reports, (m) => process.stderr.write(`${m}\n`));
}
