import { randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { procStat } from '../../src/run/processes.js';
import { readSweepFile } from '../../src/run/sweep-file.js';
import { tempDir } from '../helpers/tiny.js';
import { startCli, stopCli, type CliProcess } from './processes.js';
import { redisMissing, startRedis, type RedisServer } from './redis.js';
import { writeSweep } from './sweep-config.js';

/**
 * The Redis password stays off every command line: a worker takes the URL from VAELAB_QUEUE, a submitter
 * from --queue-file, and nothing either starts (training processes, BullMQ's sandbox) gets it on its
 * command line or in its environment. `ps` shows command lines to every user; environments only to their owner.
 */
const skip = redisMissing() === 'skip';

let redis: RedisServer | null = null;
const running: CliProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => stopCli(p, 5000)));
  await redis?.stop();
  redis = null;
});

const read = (file: string) => {
  try {
    return readFileSync(file, 'latin1').replace(/\0/g, ' ');
  } catch {
    return null; // ended meanwhile
  }
};

/** Every process below `roots`, with its command line and environment, as seen now. */
function tree(roots: number[]): { pid: number; cmdline: string; environ: string }[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) if (/^\d+$/.test(name)) parents.set(Number(name), procStat(Number(name))?.ppid ?? 0);
  const below = (pid: number): boolean => roots.includes(pid) || (pid > 1 && parents.has(pid) && below(parents.get(pid)!));
  return [...parents.keys()].filter(below).flatMap((pid) => {
    const [cmdline, environ] = [read(`/proc/${pid}/cmdline`), read(`/proc/${pid}/environ`)];
    return cmdline === null || environ === null ? [] : [{ pid, cmdline, environ }];
  });
}

describe.skipIf(skip)('the Redis password', () => {
  it('never reaches a command line: the worker reads VAELAB_QUEUE, the submitter --queue-file, and their children neither', { timeout: 300_000 }, async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    redis = await startRedis({ password });
    const root = tempDir();
    const [out, reports, file] = [join(root, 'experiments'), join(root, 'reports'), join(root, 'queue.url')];
    writeFileSync(file, `${redis.url}\n`);
    chmodSync(file, 0o600);
    const config = writeSweep(root, 'qsecret', '{seed: [1]}', '{epochs: 2, batchSize: 64, evalBatchSize: 64}', 512);
    const worker = startCli(['worker', '--out', out, '--reports', reports], [], { VAELAB_QUEUE: redis.url });
    running.push(worker);
    await worker.waitFor(/worker on .*run directories in/);
    const submit = startCli([config, '--queue-file', file, '--out', out, '--reports', reports]);
    running.push(submit);

    const seen = new Map<number, { cmdline: string; environ: string }>();
    let done = false;
    void submit.exited.then(() => (done = true));
    while (!done) {
      for (const p of tree([worker.child.pid!, submit.child.pid!])) seen.set(p.pid, p);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await submit.exited).code, submit.output()).toBe(0);
    expect(readSweepFile(join(out, 'qsecret', readdirSync(join(out, 'qsecret'))[0]!)).status).toBe('completed');
    const all = [...seen.values()];
    // vaelab's own children; tsx's esbuild service starts before any vaelab code and keeps the environment it had
    const training = all.filter((p) => p.cmdline.includes('src/jobs/entry.ts'));
    const sandbox = all.filter((p) => /bullmq\/dist\/\w+\/classes\/main\.js/.test(p.cmdline));
    expect([training.length > 0, sandbox.length > 0], 'a training process and the sandbox of the parent job were seen').toEqual([true, true]);
    for (const p of all) expect(p.cmdline, p.cmdline).not.toContain(password);
    for (const p of [...training, ...sandbox]) expect(p.environ.includes(password), p.cmdline).toBe(false);
    expect(worker.output() + submit.output()).not.toMatch(/warning:/);

    // given on the command line after all: it works, with one warning that does not repeat it
    const status = startCli(['status', '--queue', redis.url]);
    running.push(status);
    expect((await status.exited).code, status.output()).toBe(0);
    expect(status.output().match(/^warning: .*/gm)).toEqual(['warning: the Redis password in --queue shows in `ps` to every user of this machine: put the URL in a file only you can read and give --queue-file PATH, or (worker, status) set VAELAB_QUEUE']);
    expect(worker.output() + submit.output() + status.output()).not.toContain(password);
  });
});
