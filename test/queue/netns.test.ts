import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunInfo } from '../../src/run/run-dir.js';
import { readSweepFile } from '../../src/run/sweep-file.js';
import { tempDir } from '../helpers/tiny.js';
import { startCli, stopCli, type CliProcess } from './processes.js';
import { redisMissing, startRedis, type RedisServer } from './redis.js';
import { writeSweep } from './sweep-config.js';

/**
 * A worker as a second host would be: in its own network namespace, reaching Redis over a veth pair with a
 * password, writing to a folder the submitter never reads. Needs root and `ip netns` (CI runs as root);
 * elsewhere it is skipped with the reason.
 */
const id = randomBytes(3).toString('hex');
const ns = `vq${id}`;
const subnet = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2, 4), 16)}`;
const [hostIp, nsIp] = [`${subnet}.1`, `${subnet}.2`];

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });

function netnsProblem(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const add = ip('netns', 'add', `${ns}probe`);
  if (add.error !== undefined || add.status !== 0) return `ip netns add failed: ${add.error?.message ?? add.stderr.trim()}`;
  ip('netns', 'del', `${ns}probe`);
  return null;
}

const skipRedis = redisMissing() === 'skip';
const problem = skipRedis ? 'no redis-server' : netnsProblem();
if (problem !== null && !skipRedis) console.warn(`skipping the network-namespace queue test: ${problem}`);

function setUp(): void {
  const steps = [
    ['netns', 'add', ns],
    ['link', 'add', `vqh${id}`, 'type', 'veth', 'peer', 'name', `vqn${id}`],
    ['link', 'set', `vqn${id}`, 'netns', ns],
    ['addr', 'add', `${hostIp}/24`, 'dev', `vqh${id}`],
    ['link', 'set', `vqh${id}`, 'up'],
    ['netns', 'exec', ns, 'ip', 'addr', 'add', `${nsIp}/24`, 'dev', `vqn${id}`],
    ['netns', 'exec', ns, 'ip', 'link', 'set', `vqn${id}`, 'up'],
    ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    const r = ip(...s);
    if (r.status !== 0) throw new Error(`ip ${s.join(' ')}: ${r.stderr}`);
  }
}

let redis: RedisServer | null = null;
const running: CliProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => stopCli(p, 5000)));
  await redis?.stop();
  ip('netns', 'del', ns); // takes the veth pair with it
});

describe.skipIf(problem !== null)('a worker on another host', () => {
  it('in its own network namespace, over a veth pair with a password, sharing no folder with the submitter', { timeout: 300_000 }, async () => {
    setUp();
    const password = `pw-${randomBytes(8).toString('hex')}`;
    redis = await startRedis({ host: hostIp, password });
    const root = tempDir();
    const remote = { out: join(root, 'remote', 'experiments'), reports: join(root, 'remote', 'reports') };
    const local = { out: join(root, 'laptop', 'experiments'), reports: join(root, 'laptop', 'reports') };
    const inNs = ['ip', 'netns', 'exec', ns];

    // the namespace has its own loopback: the Redis of this host is not there, and the error says so at once
    const wrong = startCli(['worker', '--queue', `redis://:${password}@127.0.0.1:${redis.port}`, '--out', remote.out], inNs);
    running.push(wrong);
    expect((await wrong.exited).code).toBe(2);
    expect(wrong.output()).toContain(`cannot reach Redis at redis://:***@127.0.0.1:${redis.port}`);

    const worker = startCli(['worker', '--queue', redis.url, '--out', remote.out, '--reports', remote.reports], inNs);
    running.push(worker);
    await worker.waitFor(/worker on/);
    const config = writeSweep(root, 'qnet', '{model.latentDim: [2, 3]}', '{epochs: 1, batchSize: 64, evalBatchSize: 64}', 256);
    const submit = startCli([config, '--queue', redis.url, '--out', local.out, '--reports', local.reports]);
    running.push(submit);
    expect((await submit.exited).code, submit.output()).toBe(0);

    // the submitter's machine has the whole summary, from the jobs' return values, and no run directory
    const localSweep = join(local.out, 'qnet', readdirSync(join(local.out, 'qnet'))[0]!);
    expect(readdirSync(localSweep)).toEqual(['sweep.json']);
    const summary = readSweepFile(localSweep);
    expect(summary.status).toBe('completed');
    for (const p of summary.points) expect(p.metrics!.testNegElbo).toBeGreaterThan(0);
    // the worker's machine has the runs, and the comparison of the points it holds
    const remoteSweep = join(remote.out, 'qnet', summary.id);
    for (const p of summary.points) expect(readRunInfo(join(remoteSweep, p.runDir))).toMatchObject({ status: 'completed', backend: { name: 'wasm' }, host: hostname() });
    expect(readdirSync(join(remote.reports, 'compare'))).toHaveLength(1);
    expect(existsSync(join(local.reports, 'compare'))).toBe(false);

    await stopCli(worker);
    const logs = [wrong, worker, submit].map((p) => p.output()).join('\n');
    expect(logs).toContain(`redis://:***@${hostIp}:${redis.port}`);
    expect(logs.includes(password)).toBe(false);
    const files = (dir: string): string[] =>
      existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])) : [];
    for (const file of files(root)) expect(readFileSync(file, 'latin1').includes(password), file).toBe(false);
  });
});
