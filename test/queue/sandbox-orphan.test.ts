import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tiny.js';

const require = createRequire(import.meta.url);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the sweep job's sandboxed processor", () => {
  it('ends when its worker is killed while it waits on the worker (no orphan spinning after kill -9)', { timeout: 60_000 }, async () => {
    // A stand-in for the worker: forks BullMQ's child as the worker does, starts a sweep job in it, and
    // never answers the child's request for the points' results, so the child is mid-job when we kill it.
    const root = tempDir();
    const script = join(root, 'worker.cjs');
    writeFileSync(
      script,
      `const { fork } = require('node:child_process');
const child = fork(${JSON.stringify(require.resolve('bullmq/dist/cjs/classes/main.js'))}, [], {
  execArgv: ['--import', ${JSON.stringify(pathToFileURL(require.resolve('tsx')).href)}],
  env: { ...process.env, VAELAB_WORKER_OUT: ${JSON.stringify(join(root, 'out'))}, VAELAB_WORKER_REPORTS: ${JSON.stringify(join(root, 'reports'))} },
});
const data = { formatVersion: 1, sweep: { name: 's', id: 'sweep-1', keys: [] }, points: [] };
child.on('message', (m) => {
  if (m.cmd === 4) child.send({ cmd: 1, job: { id: '1', name: 'sweep', data: JSON.stringify(data), opts: {}, timestamp: Date.now() }, token: 't' });
  if (m.cmd === 10) process.stdout.write(child.pid + '\\n'); // it asks for the children's values: mid-job
});
child.send({ cmd: 0, value: ${JSON.stringify(join(process.cwd(), 'src/queue/sweep-sandbox.ts'))} });
`,
    );
    const worker = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      worker.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      worker.once('exit', () => reject(new Error('the stand-in worker ended first')));
    });
    expect(alive(pid)).toBe(true);
    worker.kill('SIGKILL');
    const deadline = Date.now() + 20_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const orphan = alive(pid);
    if (orphan) process.kill(pid, 'SIGKILL');
    expect(orphan, 'the sandboxed child outlived its worker').toBe(false);
  });
});
