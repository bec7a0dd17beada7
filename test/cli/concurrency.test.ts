import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/run/lock.js';
import { tempDir } from '../helpers/tiny.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const env = { ...process.env, CI: 'true' };

function cli(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(TSX, ['run.ts', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

/** A tiny run that would go on for hours: the tests catch it training and kill it (a loaded machine finished 50 epochs first). */
function config(dir: string, sweep = ''): string {
  const path = join(dir, 'long.yaml');
  writeFileSync(path, `name: long\nbackend: wasm\ndata: {trainLimit: 2000, testLimit: 100}\nmodel: {hidden: [32]}\ntrain: {epochs: 100000}\nreport: {stages: []}\n${sweep}`);
  return path;
}

function waitFor(check: () => string | null): Promise<string> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const hit = check();
      if (hit !== null) {
        clearInterval(poll);
        resolve(hit);
      }
    }, 50);
  });
}

function stop(child: ChildProcess): Promise<unknown> {
  process.kill(-child.pid!, 'SIGKILL');
  return new Promise((resolve) => child.on('close', resolve));
}

describe('one process per run and per sweep', () => {
  it('--resume of a run that is still training is refused; after a kill -9 its stale lock is taken over', async () => {
    const dir = tempDir();
    const out = join(dir, 'experiments');
    const child = spawn(TSX, ['run.ts', config(dir), '--out', out], { detached: true, stdio: 'ignore', env });
    const runDir = await waitFor(() => {
      const root = join(out, 'long');
      const run = existsSync(root) ? readdirSync(root)[0] : undefined;
      return run !== undefined && existsSync(join(root, run, '.lock')) ? join(root, run) : null;
    });
    const second = cli(['--resume', runDir]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`run ${runDir} is in use by process \\d+ since`));
    await stop(child);
    expect(existsSync(join(runDir, '.lock'))).toBe(true); // nobody was left to remove it
    const lock = await acquireLock(join(runDir, '.lock'), 'run'); // stale: its process is gone
    lock.release();
    expect(existsSync(join(runDir, '.lock'))).toBe(false);
  });

  it('the same sweep started twice at once: the second is refused and trains nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'experiments');
    const file = config(dir, 'sweep:\n  model.latentDim: [2, 3]\n');
    const first = spawn(TSX, ['run.ts', file, '--out', out], { detached: true, stdio: 'ignore', env });
    const sweepDir = await waitFor(() => {
      const root = join(out, 'long');
      const sweep = existsSync(root) ? readdirSync(root)[0] : undefined;
      return sweep !== undefined && existsSync(join(root, sweep, '.lock')) ? join(root, sweep) : null;
    });
    const second = cli([file, '--out', out]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`sweep ${sweepDir} is in use by process`);
    await stop(first);
  });

  it('a lock held by a live process is respected, and waited for when asked', async () => {
    const path = join(tempDir(), '.lock');
    const held = await acquireLock(path, 'report x');
    await expect(acquireLock(path, 'report x')).rejects.toThrow(new RegExp(`report x is in use by process ${process.pid}`));
    setTimeout(() => held.release(), 300);
    const next = await acquireLock(path, 'report x', 5000);
    next.release();
  });
});
