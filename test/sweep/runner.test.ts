import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepId } from '../../src/config/sweep.js';
import { VaelabError } from '../../src/errors.js';
import { train } from '../../src/jobs/pipeline.js';
import { readState } from '../../src/run/checkpoint.js';
import { readMetrics, readRunInfo } from '../../src/run/run-dir.js';
import { readSweepFile } from '../../src/run/sweep-file.js';
import { inProcessExecutor, type Executor } from '../../src/sweep/executor.js';
import { runSweep } from '../../src/sweep/runner.js';
import { formatSweepTable } from '../../src/sweep/table.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

const withoutTime = <T extends { updatedAt: string }>(s: T) => ({ ...s, updatedAt: '' });

describe('runSweep in child processes', () => {
  it('a failing point does not stop the others; a rerun skips what completed and tries the failure again', async () => {
    const out = tempDir();
    const missing = join(out, 'no-such-data');
    const config = tinyConfig({ name: 'sw', train: { epochs: 1 }, sweep: [{ 'model.latentDim': 2 }, { 'data.dataset': 'idx', 'data.dir': missing }] });
    const first = await runSweep(config, { out, jobs: 2 });
    const sweepDir = join(out, 'sw', sweepId(config));
    expect(first.sweepDir).toBe(sweepDir);
    expect(first.summary.status).toBe('partial');
    const [good, bad] = first.summary.points;
    expect(good).toMatchObject({ name: 'latentDim=2', status: 'completed', action: 'new', error: null, runDir: 'latentDim=2' });
    expect(good!.metrics!.testNegElbo).toBeGreaterThan(0);
    expect(good!.metrics!.iwaeNll).toBeLessThan(good!.metrics!.testNegElbo);
    expect(bad).toMatchObject({ status: 'failed', action: 'new', metrics: null });
    expect(bad!.error).toContain('no-such-data');
    expect(readRunInfo(join(sweepDir, bad!.runDir)).status).toBe('failed');
    expect(withoutTime(readSweepFile(sweepDir))).toEqual(withoutTime(first.summary));
    expect(existsSync(join(sweepDir, 'config.yaml'))).toBe(true);

    const goodDir = join(sweepDir, good!.runDir);
    const stamp = () => ({ runJson: statSync(join(goodDir, 'run.json')).mtimeMs, metrics: readFileSync(join(goodDir, 'metrics.jsonl'), 'utf8') });
    const before = stamp();
    const second = await runSweep(config, { out, jobs: 2 });
    expect(second.sweepDir).toBe(sweepDir);
    expect(second.summary.points[0]).toMatchObject({ status: 'completed', action: 'skipped', metrics: good!.metrics });
    expect(stamp()).toEqual(before); // not retrained, not even touched
    expect(second.summary.points[1]).toMatchObject({ status: 'failed', action: 'resumed' });
    const table = formatSweepTable(second.summary);
    expect(table).toMatch(/latentDim=2\s+completed \(earlier\)/);
    expect(table).toContain('no-such-data');
  });

  it('an abort reaches the point process, which checkpoints; the rerun resumes it to completion', async () => {
    const out = tempDir();
    const config = tinyConfig({ name: 'cut', data: { trainLimit: 2048 }, train: { epochs: 3 }, sweep: { seed: [4] } });
    const controller = new AbortController();
    const cut = await runSweep(config, {
      out,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.progress.type === 'epoch') controller.abort();
      },
    });
    const runDir = join(cut.sweepDir, 'seed=4');
    expect(cut.summary.status).toBe('interrupted');
    expect(cut.summary.points[0]).toMatchObject({ status: 'interrupted', error: null });
    expect(readRunInfo(runDir).status).toBe('interrupted');
    expect(readState(join(runDir, 'checkpoint')).epoch).toBeGreaterThanOrEqual(1);

    const done = await runSweep(config, { out });
    expect(done.summary).toMatchObject({ status: 'completed', points: [{ status: 'completed', action: 'resumed' }] });
    expect(readMetrics(runDir).map((m) => m.epoch)).toEqual([1, 2, 3]);
  });
});

describe('runSweep scheduling', () => {
  it('stops between points on abort: the running point is interrupted, the rest stay pending', async () => {
    const out = tempDir();
    const config = tinyConfig({ name: 'sw2', data: { trainLimit: 512 }, sweep: { 'model.latentDim': [2, 3] } });
    const controller = new AbortController();
    const cut = await runSweep(config, {
      out,
      executor: inProcessExecutor,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.progress.type === 'step' && e.progress.epoch === 2 && e.progress.step === 2) controller.abort();
      },
    });
    expect(cut.summary.status).toBe('interrupted');
    expect(cut.summary.points.map((p) => [p.status, p.action])).toEqual([['interrupted', 'new'], ['pending', null]]);
    expect(existsSync(join(cut.sweepDir, 'latentDim=3'))).toBe(false);

    const done = await runSweep(config, { out, executor: inProcessExecutor });
    expect(done.summary.points.map((p) => [p.status, p.action])).toEqual([['completed', 'resumed'], ['completed', 'new']]);
    expect(readMetrics(join(done.sweepDir, 'latentDim=2')).map((m) => m.epoch)).toEqual([1, 2]);
  });

  it('runs `jobs` points at once, and a point whose executor throws fails alone', async () => {
    let running = 0;
    let most = 0;
    const fake: Executor = async (task) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      if (task.name === 'seed=3') throw new Error('boom');
      return { status: 'completed', error: null };
    };
    const config = tinyConfig({ name: 'pool', sweep: { seed: [1, 2, 3, 4, 5] } });
    const { summary } = await runSweep(config, { out: tempDir(), jobs: 2, executor: fake });
    expect(most).toBe(2);
    expect(summary.status).toBe('partial');
    expect(summary.points.map((p) => p.status)).toEqual(['completed', 'completed', 'failed', 'completed', 'completed']);
    expect(summary.points[2]!.error).toBe('Error: boom');
    await expect(runSweep(config, { out: tempDir(), jobs: 0, executor: fake })).rejects.toThrow(VaelabError);
    await expect(train(config, { out: tempDir() })).rejects.toThrow(/has a sweep: run it with runSweep/);
  });
});
