import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { planSweep } from '../../src/config/sweep.js';
import { PAYLOAD_FORMAT, pointJobId, POINTS, PREFIX, SWEEPS } from '../../src/queue/payloads.js';
import { submitSweep } from '../../src/queue/submit.js';
import { startWorker } from '../../src/queue/worker.js';
import type { Executor } from '../../src/sweep/executor.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { startCli, type CliProcess } from './processes.js';
import { redisCli, redisMissing, startRedis, type RedisServer } from './redis.js';

/**
 * Jobs that anyone who can write to the Redis can forge or break: `status` reads around them, and a worker
 * fails them at once instead of leaving them active or retrying what fails the same way every time.
 */
const skip = redisMissing() === 'skip';
const ESC = '\u001b';
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

let redis: RedisServer | null = null;
afterEach(async () => {
  await redis?.stop();
  redis = null;
});

async function submit(url: string, name: string, seeds: number[]) {
  const config = tinyConfig({ name, sweep: { seed: seeds } });
  await submitSweep(config, { url, attempts: 3, detach: true, out: tempDir(), log: () => {} });
  const plan = planSweep(config);
  return { id: plan.id, jobIds: plan.points.map((p) => pointJobId(plan.id, p.config)) };
}

async function until(what: string, ready: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !ready(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** `status` with these arguments, run as processes side by side: each one's exit code and output. */
async function statuses(url: string, ...argvs: string[][]): Promise<CliProcess[]> {
  const all = argvs.map((a) => startCli([...a, '--queue', url]));
  await Promise.all(all.map((p) => p.exited));
  for (const p of all) expect(p.output()).not.toMatch(STACK);
  return all;
}

/** A worker on this machine whose points train nothing: what is tested is what it does with a job. */
async function noopWorker(url: string, logs: string[]) {
  const root = tempDir();
  const noop: Executor = async () => ({ status: 'completed', error: null });
  return await startWorker({ url, out: join(root, 'w'), reports: join(root, 'r'), concurrency: 2, backend: null, dataRoot: null, log: (m) => logs.push(m), executor: noop });
}

/** Adds point jobs to the queue as anyone with access to the Redis could: 3 attempts, no delay between them. */
async function addPoints(r: RedisServer, jobs: { id: string; data: unknown }[]): Promise<void> {
  const points = new Queue(POINTS, { connection: { host: r.host, port: r.port }, prefix: PREFIX });
  for (const j of jobs) await points.add('point', j.data, { jobId: j.id, attempts: 3, backoff: { type: 'fixed', delay: 0 } });
  await points.close();
}

const failedIds = (r: RedisServer) => redisCli(r, undefined, 'ZRANGE', 'vaelab:points:failed', '0', '-1').split('\n');
const field = (r: RedisServer, id: string, name: string) => redisCli(r, undefined, 'HGET', `vaelab:points:${id}`, name);

describe.skipIf(skip)('malformed and forged jobs', () => {
  it('status skips and names a sweep job that is not JSON, and marks a point job that is not JSON unreadable', { timeout: 120_000 }, async () => {
    redis = await startRedis();
    const r = redis;
    const good = await submit(r.url, 'mal', [1, 2]);
    const broken = await submit(r.url, 'mal2', [3]);
    redisCli(r, undefined, 'HSET', `vaelab:sweeps:${broken.id}`, 'data', '{broken');
    redisCli(r, undefined, 'HSET', `vaelab:points:${good.jobIds[0]!}`, 'data', '{broken');

    const [list, json, bad] = (await statuses(r.url, ['status'], ['status', good.id, '--json'], ['status', broken.id])) as [CliProcess, CliProcess, CliProcess];
    expect([list, json, bad].map((p) => p.child.exitCode), list.output() + json.output() + bad.output()).toEqual([0, 0, 2]);
    expect(list.stdout()).toBe(`${good.id}  mal  waiting-children  2 points\n`);
    expect(list.output()).toContain(`skipped sweep job ${broken.id}: its data in Redis is not valid JSON`);
    const rows = (JSON.parse(json.stdout()) as { points: { name: string; state: string; error: string | null }[] }).points;
    expect(rows.map((p) => [p.name, p.state, p.error])).toEqual([
      ['seed=1', 'unreadable', 'its data in Redis is not valid JSON'],
      ['seed=2', 'waiting', null],
    ]);
    expect(bad.output()).toContain(`error: sweep job ${broken.id} at ${r.url}: its data in Redis is not valid JSON`);
    const again = submitSweep(tinyConfig({ name: 'mal2', sweep: { seed: [3] } }), { url: r.url, attempts: 3, detach: true, out: tempDir(), log: () => {} });
    await expect(again).rejects.toThrow(`sweep job ${broken.id} at ${r.url}: its data in Redis is not valid JSON (remove it to submit this sweep again)`);
  });

  it('status escapes the control characters of what it prints from Redis; --json keeps them, as JSON escapes', { timeout: 120_000 }, async () => {
    redis = await startRedis();
    const r = redis;
    const good = await submit(r.url, 'esc', [1]);
    const host = `${ESC}[31mevil${ESC}]0;title\u0007\u009b2J\u202e`;
    redisCli(r, undefined, 'HSET', `vaelab:points:${good.jobIds[0]!}`, 'progress', JSON.stringify({ host, backend: null, epoch: 1, epochs: 2, testNegElbo: null }));
    const sweeps = new Queue(SWEEPS, { connection: { host: r.host, port: r.port }, prefix: PREFIX });
    await sweeps.add('sweep', JSON.parse(redisCli(r, undefined, 'HGET', `vaelab:sweeps:${good.id}`, 'data')), { jobId: `sweep-${ESC}[2Jforged` });
    await sweeps.close();

    const [list, one, json] = (await statuses(r.url, ['status'], ['status', good.id], ['status', good.id, '--json'])) as [CliProcess, CliProcess, CliProcess];
    expect([list, one, json].map((p) => p.child.exitCode)).toEqual([0, 0, 0]);
    for (const p of [list, one, json]) expect(p.output()).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
    expect(list.stdout()).toContain('sweep-\\x1b[2Jforged  esc');
    expect(one.stdout()).toMatch(/\nseed=1 +waiting +\\x1b\[31mevil\\x1b\]0;title\\x07\\x9b2J\\u202e /);
    expect((JSON.parse(json.stdout()) as { points: { host: string }[] }).points[0]!.host).toBe(host);
  });

  it('a worker fails a point job that is not JSON at once, with the reason and without a retry', { timeout: 120_000 }, async () => {
    redis = await startRedis();
    const r = redis;
    const plan = planSweep(tinyConfig({ name: 'nojson', sweep: { seed: [8] } }));
    const id = pointJobId(plan.id, plan.points[0]!.config);
    await addPoints(r, [{ id, data: { formatVersion: PAYLOAD_FORMAT, sweep: { name: 'nojson', id: plan.id }, point: { name: 'seed=8', values: { seed: 8 } }, config: plan.points[0]!.config } }]);
    redisCli(r, undefined, 'HSET', `vaelab:points:${id}`, 'data', '{broken');
    const logs: string[] = [];
    const worker = await noopWorker(r.url, logs);
    try {
      await until('the job to fail', () => failedIds(r).includes(id));
    } finally {
      await worker.stop();
    }
    expect(field(r, id, 'failedReason')).toBe(`job ${id}: its data in Redis is not valid JSON: refused`);
    expect(field(r, id, 'atm')).toBe('1');
    expect(logs.join('\n')).not.toMatch(STACK);
  });

  it('a worker refuses a forged point name (not a folder name) once, without a retry', { timeout: 120_000 }, async () => {
    redis = await startRedis();
    const r = redis;
    const plan = planSweep(tinyConfig({ name: 'forge', sweep: { seed: [9] } }));
    const id = pointJobId(plan.id, plan.points[0]!.config);
    await addPoints(r, [{ id, data: { formatVersion: PAYLOAD_FORMAT, sweep: { name: 'forge', id: plan.id }, point: { name: `${ESC}[31mred`, values: { seed: 9 } }, config: plan.points[0]!.config } }]);
    const worker = await noopWorker(r.url, []);
    try {
      await until('the job to fail', () => failedIds(r).includes(id));
    } finally {
      await worker.stop();
    }
    expect(field(r, id, 'failedReason')).toMatch(new RegExp(`^job ${id}: not a vaelab point \\(format 1\\): point\\.name: letters, digits`));
    expect(field(r, id, 'atm')).toBe('1');
  });
});
