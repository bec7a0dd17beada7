import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readMetrics, readRunInfo } from '../../src/run/run-dir.js';
import { readSweepFile } from '../../src/run/sweep-file.js';
import { tempDir } from '../helpers/tiny.js';
import { startCli, stopCli, type CliProcess } from './processes.js';
import { writeSweep } from './sweep-config.js';
import { redisCli, redisMissing, startRedis, testCertificates, type RedisServer } from './redis.js';

const skip = redisMissing() === 'skip';

/** Every file under `dir`, for the password check. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

const pointDirs = (sweepDir: string) => readSweepFile(sweepDir).points.map((p) => join(sweepDir, p.runDir));

/** Waits until a point folder under `sweepRoot` (the one named `only`, if given) has trained at least one epoch but not all. */
async function midPoint(sweepRoot: string, epochs: number, only?: string, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const sweeps = existsSync(sweepRoot) ? readdirSync(sweepRoot).map((s) => join(sweepRoot, s)) : [];
    for (const point of sweeps.flatMap((s) => readdirSync(s, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(s, e.name)))) {
      const n = existsSync(join(point, 'metrics.jsonl')) ? readMetrics(point).length : 0;
      if (n >= 1 && n < epochs && (only === undefined || point.endsWith(`/${only}`))) return point;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no point of ${sweepRoot} reached its first epoch within ${timeoutMs / 1000} s`);
}

let redis: RedisServer | null = null;
const running: CliProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => stopCli(p, 5000)));
  await redis?.stop();
  redis = null;
});

const workerArgs = (url: string, out: string, reports: string) => ['worker', '--queue', url, '--out', out, '--reports', reports];

describe.skipIf(skip)('a sweep on BullMQ workers', () => {
  it('two workers, one killed with kill -9 mid-point: every point completes once, from its checkpoint; a resubmit adds nothing', { timeout: 300_000 }, async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    redis = await startRedis({ password });
    const root = tempDir();
    const [out, reports] = [join(root, 'experiments'), join(root, 'reports')];
    const config = writeSweep(root, 'qkill', '{model.latentDim: [2, 3, 4, 5]}');
    const [a, b] = [startCli(workerArgs(redis.url, out, reports)), startCli(workerArgs(redis.url, out, reports))];
    running.push(a, b);
    await Promise.all([a.waitFor(/worker on .*run directories in/), b.waitFor(/worker on .*run directories in/)]);
    const submit = startCli([config, '--queue', redis.url, '--out', out, '--reports', reports]);
    running.push(submit);

    const [, victim] = await a.waitFor(/\[([^\]]+)\] attempt 1 on/);
    await midPoint(join(out, 'qkill'), 4, victim);
    a.child.kill('SIGKILL'); // its training process sees the worker gone, checkpoints its step and ends
    await a.exited;

    const done = await submit.exited;
    expect(done.code, submit.output()).toBe(0);
    const sweepDir = join(out, 'qkill', readdirSync(join(out, 'qkill'))[0]!);
    const summary = readSweepFile(sweepDir);
    expect(summary.status).toBe('completed');
    expect(summary.points.map((p) => p.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    for (const dir of pointDirs(sweepDir)) {
      expect(readMetrics(dir).map((m) => m.epoch), dir).toEqual([1, 2, 3, 4]); // no epoch trained twice: resumed, not restarted
      expect(readRunInfo(dir).status).toBe('completed');
    }
    expect(b.output()).toContain(`[${victim!}] completed`);
    expect(summary.points.find((p) => p.name === victim)!.action).toBe('resumed');
    expect(redisCli(redis, password, 'ZCARD', 'vaelab:points:completed')).toBe('4');
    expect(redisCli(redis, password, 'ZCARD', 'vaelab:points:failed')).toBe('0');
    expect(redisCli(redis, password, 'ZCARD', 'vaelab:sweeps:completed')).toBe('1');
    const comparisons = readdirSync(join(reports, 'compare'), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(comparisons).toHaveLength(1);
    const page = join(reports, 'compare', comparisons[0]!.name, 'index.html');
    const pageTime = statSync(page).mtimeMs;

    // the killed worker's lock and heartbeat keys may expire meanwhile: what matters is that no key is added
    const keysBefore = new Set(redisCli(redis, password, 'KEYS', '*').split('\n'));
    const metricsBefore = pointDirs(sweepDir).map((d) => readFileSync(join(d, 'metrics.jsonl'), 'utf8'));
    const again = startCli([config, '--queue', redis.url, '--out', out, '--reports', reports]);
    running.push(again);
    expect((await again.exited).code, again.output()).toBe(0);
    expect(again.output()).toMatch(/queued before: nothing added/);
    expect(again.stdout()).toMatch(/qkill\/sweep-\w+: completed, 4 of 4 points completed/);
    // a running worker re-creates BullMQ's stalled-check key (a lock that expires) every stalled interval
    const added = redisCli(redis, password, 'KEYS', '*').split('\n').filter((k) => !keysBefore.has(k) && !k.endsWith(':stalled-check'));
    expect(added).toEqual([]);
    expect(redisCli(redis, password, 'ZCARD', 'vaelab:points:completed')).toBe('4');
    expect(pointDirs(sweepDir).map((d) => readFileSync(join(d, 'metrics.jsonl'), 'utf8'))).toEqual(metricsBefore);
    expect(statSync(page).mtimeMs).toBe(pageTime); // the comparison was built once

    const status = startCli(['status', '--queue', redis.url, summary.id, '--json']);
    expect((await status.exited).code).toBe(0);
    const rows = (JSON.parse(status.stdout()) as { points: { name: string; state: string; host: string; backend: string; epoch: number }[] }).points;
    expect(rows.map((r) => [r.state, r.backend, r.epoch])).toEqual(Array(4).fill(['completed', 'wasm', 4]));

    await stopCli(b);
    const logs = [a, b, submit, again, status].map((p) => p.output()).join('\n');
    expect(logs).toContain('redis://:***@127.0.0.1');
    for (const file of [...filesUnder(out), ...filesUnder(reports)]) expect(readFileSync(file, 'latin1').includes(password), file).toBe(false);
    expect(logs.includes(password)).toBe(false);
  });

  it('redis-server restarted mid-sweep: the worker and the submitter reconnect and nothing is lost or done twice', { timeout: 300_000 }, async () => {
    redis = await startRedis();
    const root = tempDir();
    const [out, reports] = [join(root, 'experiments'), join(root, 'reports')];
    const config = writeSweep(root, 'qrestart', '{seed: [1, 2]}');
    const w = startCli(workerArgs(redis.url, out, reports));
    running.push(w);
    await w.waitFor(/worker on/);
    const submit = startCli([config, '--queue', redis.url, '--out', out, '--reports', reports]);
    running.push(submit);
    await midPoint(join(out, 'qrestart'), 4);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();

    const done = await submit.exited;
    expect(done.code, submit.output()).toBe(0);
    await w.waitFor(/reconnected to Redis/);
    const sweepDir = join(out, 'qrestart', readdirSync(join(out, 'qrestart'))[0]!);
    expect(readSweepFile(sweepDir).status).toBe('completed');
    for (const dir of pointDirs(sweepDir)) expect(readMetrics(dir).map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
    expect(redisCli(redis, undefined, 'ZCARD', 'vaelab:points:completed')).toBe('2');
    expect(redisCli(redis, undefined, 'ZCARD', 'vaelab:sweeps:completed')).toBe('1');
    // an outage is a few lines, not one per retry
    expect(w.output().split('\n').filter((l) => /Redis|ECONNREFUSED|Connection/.test(l)).length).toBeLessThan(12);
    expect(w.output()).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('a point that fails every time fails after --attempts 2; the others complete, the sweep is partial and the comparison lists it', { timeout: 300_000 }, async () => {
    redis = await startRedis();
    const root = tempDir();
    const [out, reports] = [join(root, 'experiments'), join(root, 'reports')];
    const config = writeSweep(root, 'qfail', '[{model.latentDim: 3}, {train.learningRate: 1.0e+30}]', '{epochs: 1, batchSize: 64, evalBatchSize: 64}', 256);
    const w = startCli(workerArgs(redis.url, out, reports));
    running.push(w);
    await w.waitFor(/worker on/);
    const submit = startCli([config, '--queue', redis.url, '--attempts', '2', '--out', out, '--reports', reports]);
    running.push(submit);
    const done = await submit.exited;
    expect(done.code, submit.output()).toBe(1);
    expect(submit.stdout()).toMatch(/qfail\/sweep-\w+: partial, 1 of 2 points completed/);
    const sweepDir = join(out, 'qfail', readdirSync(join(out, 'qfail'))[0]!);
    const [good, bad] = readSweepFile(sweepDir).points;
    expect(good!.status).toBe('completed');
    expect(bad).toMatchObject({ status: 'failed', metrics: null });
    expect(bad!.error).toMatch(/diverged/);
    const status = startCli(['status', '--queue', redis.url, readSweepFile(sweepDir).id, '--json']);
    expect((await status.exited).code).toBe(0);
    const rows = (JSON.parse(status.stdout()) as { points: { state: string; attempts: number; error: string | null }[] }).points;
    expect(rows[0]).toMatchObject({ state: 'completed', attempts: 1 });
    expect(rows[1]).toMatchObject({ state: 'failed', attempts: 2 });
    expect(rows[1]!.error).toMatch(/diverged/);
    const [comparison] = readdirSync(join(reports, 'compare'), { withFileTypes: true }).filter((e) => e.isDirectory());
    const page = readFileSync(join(reports, 'compare', comparison!.name, 'index.html'), 'utf8');
    expect(page).toContain(bad!.name);
    expect(page).toMatch(/failed/);
  });
  it('SIGTERM on a worker: its point checkpoints and goes back to the queue at once, the worker exits 0, the next worker resumes it', { timeout: 300_000 }, async () => {
    redis = await startRedis();
    const root = tempDir();
    const [out, reports] = [join(root, 'experiments'), join(root, 'reports')];
    const config = writeSweep(root, 'qterm', '{seed: [7]}');
    const first = startCli(workerArgs(redis.url, out, reports));
    running.push(first);
    await first.waitFor(/worker on/);
    const submit = startCli([config, '--queue', redis.url, '--detach', '--out', out, '--reports', reports]);
    running.push(submit);
    expect((await submit.exited).code, submit.output()).toBe(0);
    const sweepId = submit.stdout().trim();
    const point = await midPoint(join(out, 'qterm'), 4);
    first.child.kill('SIGTERM');
    expect((await first.exited).code, first.output()).toBe(0);
    expect(readRunInfo(point).status).toBe('interrupted');
    const status = startCli(['status', '--queue', redis.url, sweepId, '--json']);
    expect((await status.exited).code).toBe(0);
    expect((JSON.parse(status.stdout()) as { points: { state: string }[] }).points[0]!.state).toBe('waiting'); // handed back, not stalled or failed

    const second = startCli(workerArgs(redis.url, out, reports));
    running.push(second);
    await second.waitFor(/\[seed=7\] completed/);
    expect(readMetrics(point).map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
    expect(readRunInfo(point).status).toBe('completed');
  });

  it('points complete on disk are not retrained; a worker with --backend records the backend that ran, and the comparison marks the mix', { timeout: 300_000 }, async () => {
    redis = await startRedis();
    const root = tempDir();
    const [out, reports] = [join(root, 'experiments'), join(root, 'reports')];
    const config = writeSweep(root, 'qdisk', '{model.latentDim: [2, 3]}', '{epochs: 2, batchSize: 64, evalBatchSize: 64}', 512);
    const local = startCli([config, '--out', out, '--reports', reports]); // the same sweep, run here first
    running.push(local);
    expect((await local.exited).code, local.output()).toBe(0);
    const sweepDir = join(out, 'qdisk', readdirSync(join(out, 'qdisk'))[0]!);
    const [kept, redone] = pointDirs(sweepDir) as [string, string];
    const before = readFileSync(join(kept, 'metrics.jsonl'), 'utf8');
    const mtime = statSync(join(kept, 'metrics.jsonl')).mtimeMs;
    rmSync(redone, { recursive: true }); // lost: this one must train again, on the worker's backend

    const worker = startCli([...workerArgs(redis.url, out, reports), '--backend', 'cpu']);
    running.push(worker);
    await worker.waitFor(/worker on/);
    const submit = startCli([config, '--queue', redis.url, '--out', out, '--reports', reports]);
    running.push(submit);
    expect((await submit.exited).code, submit.output()).toBe(0);
    expect(readFileSync(join(kept, 'metrics.jsonl'), 'utf8')).toBe(before);
    expect(statSync(join(kept, 'metrics.jsonl')).mtimeMs).toBe(mtime);
    expect(readSweepFile(sweepDir).points.map((p) => p.action)).toEqual(['skipped', 'new']);
    expect(readRunInfo(kept).backend!.name).toBe('wasm');
    expect(readRunInfo(redone).backend!.name).toBe('cpu');
    expect(readMetrics(redone).map((m) => m.epoch)).toEqual([1, 2]);
    const compare = join(reports, 'compare');
    // the local sweep's comparison is there too: the queue's is the newer one, of the new set of runs
    const newest = readdirSync(compare).map((d) => join(compare, d, 'index.html')).filter((f) => existsSync(f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
    const page = readFileSync(newest, 'utf8');
    expect(page).toMatch(/>backend</);
    expect(page).toContain('>cpu<');
    expect(page).toContain('>wasm<');
  });

  it('rediss:// (TLS, a private CA given by NODE_EXTRA_CA_CERTS): a worker and the submitter finish a sweep; without the CA, a clear error', { timeout: 300_000 }, async () => {
    const root = tempDir();
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const certs = testCertificates(root);
    redis = await startRedis({ password, tls: certs });
    expect(redis.url.startsWith('rediss://')).toBe(true);
    const untrusted = startCli(['status', '--queue', redis.url]);
    running.push(untrusted);
    const refused = await untrusted.exited;
    expect(refused.code, untrusted.output()).toBe(2);
    expect(untrusted.output()).toMatch(/cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(certificate|self.signed)/i);
    expect(untrusted.output()).not.toContain(password);

    const trust = { NODE_EXTRA_CA_CERTS: certs.ca };
    const [out, reports] = [join(root, 'experiments'), join(root, 'reports')];
    const config = writeSweep(root, 'qtls', '{seed: [1]}', '{epochs: 1, batchSize: 64, evalBatchSize: 64}', 256);
    const worker = startCli(workerArgs(redis.url, out, reports), [], trust);
    running.push(worker);
    await worker.waitFor(/worker on/);
    const submit = startCli([config, '--queue', redis.url, '--out', out, '--reports', reports], [], trust);
    running.push(submit);
    expect((await submit.exited).code, submit.output()).toBe(0);
    const sweepDir = join(out, 'qtls', readdirSync(join(out, 'qtls'))[0]!);
    expect(readSweepFile(sweepDir).points.map((p) => p.status)).toEqual(['completed']);
    expect(worker.output() + submit.output()).not.toContain(password);
  });
});
