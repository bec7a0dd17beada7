import { cpSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VaelabError } from '../../src/errors.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { writeFileAtomic } from '../../src/run/atomic.js';
import { acquireLock } from '../../src/run/lock.js';
import { runLogger } from '../../src/run/log.js';
import { appendMetrics, readRunInfo, updateRunInfo, type EpochMetrics } from '../../src/run/run-dir.js';
import { childPath } from '../../src/run/paths.js';
import { initialEntry, runPoint } from '../../src/sweep/point.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

// A run folder gathered with `rsync -a` keeps its links: nothing vaelab writes may follow one out of the folder.

const losses = { recon: 100, kl: 5, negElbo: 105, loss: 105 };
const epoch: EpochMetrics = { epoch: 1, steps: 4, train: losses, test: losses, trainSeconds: 1, evalSeconds: 0.1, samplesPerSecond: 200, time: '2026-12-01T00:00:00Z' };

/** A folder with `name` linked to a file outside it that holds 'precious'; returns the folder and that file. */
function linked(name: string): { dir: string; outside: string } {
  const root = tempDir();
  const dir = join(root, 'run');
  mkdirSync(dir);
  const outside = join(root, 'outside.txt');
  writeFileSync(outside, 'precious');
  symlinkSync(outside, join(dir, name));
  return { dir, outside };
}

describe('writes never follow a link out of their folder', () => {
  it('metrics.jsonl that is a link: appendMetrics refuses, naming the file, and the target is untouched', () => {
    const { dir, outside } = linked('metrics.jsonl');
    expect(() => appendMetrics(dir, epoch)).toThrow(VaelabError);
    expect(() => appendMetrics(dir, epoch)).toThrow(`${join(dir, 'metrics.jsonl')} is a symbolic link`);
    expect(readFileSync(outside, 'utf8')).toBe('precious');
  });

  it('log.jsonl that is a link: the run logger refuses, and the target is untouched', () => {
    const { dir, outside } = linked('log.jsonl');
    expect(() => runLogger(dir)).toThrow(`${join(dir, 'log.jsonl')} is a symbolic link`);
    expect(readFileSync(outside, 'utf8')).toBe('precious');
  });

  it('writeFileAtomic replaces a link at its target (rename does not follow it); a link at its temp name is refused', () => {
    const { dir, outside } = linked('run.json');
    writeFileAtomic(join(dir, 'run.json'), 'new');
    expect(lstatSync(join(dir, 'run.json')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'run.json'), 'utf8')).toBe('new');
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    symlinkSync(outside, join(dir, `config.yaml.tmp-${process.pid}`));
    expect(() => writeFileAtomic(join(dir, 'config.yaml'), 'x')).toThrow(/config\.yaml\.tmp-\d+ is a symbolic link/);
    expect(readFileSync(outside, 'utf8')).toBe('precious');
  });

  it('a lock never writes through a link planted at its temp name', async () => {
    const { dir, outside } = linked(`.lock.${process.pid}.tmp`);
    const lock = await acquireLock(join(dir, '.lock'), 'the run');
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(readFileSync(outside, 'utf8')).toBe('precious');
  });

  it('a folder vaelab names below an output root (experiments/<name>, a sweep point) is refused when it is a link', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'elsewhere'));
    mkdirSync(join(root, 'out'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'out', 'tiny'));
    expect(() => childPath(join(root, 'out'), 'tiny', 'run-1')).toThrow(`${join(root, 'out', 'tiny')} is a symbolic link`);
    expect(childPath(join(root, 'out'), 'other', 'run-1')).toBe(join(root, 'out', 'other', 'run-1'));
    const sweep = join(root, 'out', 'sweep-1');
    mkdirSync(sweep);
    symlinkSync(join(root, 'elsewhere'), join(sweep, 'latentDim=2'));
    const point = { name: 'latentDim=2', values: { 'model.latentDim': 2 }, config: tinyConfig() };
    const executor = () => Promise.reject(new Error('the point must not run'));
    const ran = runPoint(sweep, point, initialEntry(sweep, point), { executor, reports: join(root, 'reports'), signal: new AbortController().signal });
    await expect(ran).rejects.toThrow(`${join(sweep, 'latentDim=2')} is a symbolic link`);
  });
});

describe('--resume of a run gathered with its links', () => {
  let done: string;
  beforeAll(async () => {
    ({ runDir: done } = await train(tinyConfig({ train: { epochs: 1 } }), { out: join(tempDir(), 'experiments') }));
  });

  it.each(['log.jsonl', 'metrics.jsonl'])('%s linked outside: refused before anything is written, the target untouched', async (name) => {
    const root = tempDir();
    const dir = join(root, 'run');
    cpSync(done, dir, { recursive: true });
    updateRunInfo(dir, { status: 'interrupted' });
    const outside = join(root, name);
    cpSync(join(dir, name), outside);
    const before = readFileSync(outside, 'utf8');
    rmSync(join(dir, name));
    symlinkSync(outside, join(dir, name));
    await expect(resume(dir)).rejects.toThrow(VaelabError);
    await expect(resume(dir)).rejects.toThrow(`${join(dir, name)} is a symbolic link`);
    expect(readFileSync(outside, 'utf8')).toBe(before);
    expect(readRunInfo(dir).status).toBe('interrupted');
  });
});
