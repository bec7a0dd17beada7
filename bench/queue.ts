// The queue's overhead, for `npm run bench` (or alone: npx tsx bench/queue.ts): 500 no-op points through one
// local Redis, and a 4-point tiny sweep on 1 and on 2 worker processes. Needs redis-server (apt-get install redis-server).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config/load.js';
import { submitSweep } from '../src/queue/submit.js';
import { startWorker } from '../src/queue/worker.js';
import type { Executor } from '../src/sweep/executor.js';
import { startCli, stopCli } from '../test/queue/processes.js';
import { startRedis } from '../test/queue/redis.js';

export interface QueueBench {
  noopPoints: number;
  noopSeconds: number;
  pointsPerSecond: number;
  sweep: { workers: number; points: number; wallSeconds: number }[];
}

const quiet = () => {};

/** Points that train nothing: what is left is BullMQ, Redis, the payload checks and each point's run directory. */
async function noopPoints(n: number): Promise<{ seconds: number }> {
  const redis = await startRedis();
  const root = mkdtempSync(join(tmpdir(), 'vaelab-bench-queue-'));
  const noop: Executor = async () => ({ status: 'completed', error: null });
  const worker = await startWorker({ url: redis.url, out: join(root, 'w'), reports: join(root, 'r'), concurrency: 8, backend: null, dataRoot: null, log: quiet, executor: noop });
  const config = parseConfig({ name: 'noop', backend: 'wasm', report: { stages: [] }, sweep: { seed: Array.from({ length: n }, (_, i) => i + 1) } });
  const t0 = performance.now();
  const done = await submitSweep(config, { url: redis.url, attempts: 1, detach: false, out: join(root, 's'), log: quiet });
  const seconds = (performance.now() - t0) / 1000;
  if (done.result?.summary.status !== 'completed') throw new Error(`no-op sweep ended ${done.result?.summary.status}`);
  await worker.stop();
  await redis.stop();
  return { seconds };
}

/** The wall time of `run <4-point sweep> --queue` with `workers` worker processes already waiting. */
async function tinySweep(workers: number): Promise<number> {
  const redis = await startRedis();
  const root = mkdtempSync(join(tmpdir(), 'vaelab-bench-queue-'));
  const file = join(root, 'sweep.yaml');
  writeFileSync(file, 'name: qbench\nbackend: wasm\ndata: {trainLimit: 1024, testLimit: 128}\nmodel: {hidden: [32]}\ntrain: {epochs: 2, batchSize: 64, evalBatchSize: 64}\neval: {iwaeImages: 16, iwaeSamples: 32}\nreport: {stages: []}\nsweep: {model.latentDim: [2, 3, 4, 5]}\n');
  const args = ['--queue', redis.url, '--out', join(root, 'experiments'), '--reports', join(root, 'reports')];
  const ws = Array.from({ length: workers }, () => startCli(['worker', ...args]));
  await Promise.all(ws.map((w) => w.waitFor(/worker on/)));
  const t0 = performance.now();
  const submit = startCli([file, ...args]);
  const { code } = await submit.exited;
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`4-point sweep on ${workers} worker(s): exit ${code}: ${submit.output().slice(-2000)}`);
  await Promise.all(ws.map((w) => stopCli(w)));
  await redis.stop();
  return seconds;
}

export async function queueBench(): Promise<QueueBench> {
  const n = 500;
  const { seconds } = await noopPoints(n);
  const sweep = [];
  for (const workers of [1, 2]) sweep.push({ workers, points: 4, wallSeconds: await tinySweep(workers) });
  return { noopPoints: n, noopSeconds: seconds, pointsPerSecond: n / seconds, sweep };
}

export function queueRows(b: QueueBench): string[] {
  return [
    '| queue (local redis-server) | wall (s) | rate |',
    '|---|---|---|',
    `| ${b.noopPoints} no-op points, 1 worker process taking 8 at a time | ${b.noopSeconds.toFixed(1)} | ${b.pointsPerSecond.toFixed(0)} points/s |`,
    ...b.sweep.map((s) => `| ${s.points}-point tiny sweep (1,024 images, 2 epochs each), ${s.workers} worker${s.workers === 1 ? '' : 's'} | ${s.wallSeconds.toFixed(1)} | ${(s.points / s.wallSeconds).toFixed(2)} points/s |`),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const b = await queueBench();
  process.stdout.write(`${queueRows(b).join('\n')}\n`);
}
