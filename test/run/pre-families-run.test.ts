import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { buildReport } from '../../src/report/render.js';
import { readRunInfo } from '../../src/run/run-dir.js';
import type { Progress } from '../../src/train/trainer.js';
import { tempDir } from '../helpers/tiny.js';

/**
 * Run folders written by vaelab before the model-family refactor (issue 29), committed as they were: one
 * interrupted in its second epoch, one completed with two stochastic layers. Whatever the model code
 * becomes, such a folder must still resume and re-report. VAELAB_RECORD_GOLDEN=1 writes them anew, which
 * only makes sense before a change of the run folder's contract.
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'runs');
const RECORD = process.env.VAELAB_RECORD_GOLDEN === '1';
const SMALL = { backend: 'wasm', data: { trainLimit: 96, testLimit: 100 }, train: { epochs: 2, batchSize: 32 }, eval: { iwaeImages: 8, iwaeSamples: 4 }, report: { stages: [] } };

const only = (dir: string) => join(dir, readdirSync(dir)[0]!, readdirSync(join(dir, readdirSync(dir)[0]!))[0]!);

describe.runIf(RECORD)('recording the pre-refactor run folders', () => {
  it('writes an interrupted one-layer run and a completed two-layer run', async () => {
    rmSync(FIXTURES, { recursive: true, force: true });
    const controller = new AbortController();
    const mid = (p: Progress) => p.type === 'step' && p.epoch === 2 && p.step === 1;
    const cut = await train(parseConfig({ ...SMALL, name: 'one-layer', model: { hidden: [16], latentDim: 2 } }), { out: join(FIXTURES, 'interrupted'), signal: controller.signal, onProgress: (p) => mid(p) && controller.abort() });
    expect(cut.status).toBe('interrupted');
    const done = await train(parseConfig({ ...SMALL, name: 'two-layer', model: { hidden: [16], latentDim: 2, intermediate: { latentDim: 4, hidden: [8] } } }), { out: join(FIXTURES, 'completed') });
    expect(done.status).toBe('completed');
  });
});

describe.skipIf(RECORD)('a run folder written before the model-family refactor', () => {
  it('an interrupted one resumes to completion and reports every default figure', async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'interrupted'), dir, { recursive: true });
    const runDir = only(dir);
    expect(readRunInfo(runDir).status).toBe('interrupted');
    expect((await resume(runDir)).status).toBe('completed');
    const report = await buildReport(runDir, join(dir, 'reports'), { stages: 'default' });
    expect(report.stages.filter((s) => !s.ok)).toEqual([]);
    expect(report.stages.length).toBeGreaterThan(8);
  });

  it('a completed two-layer one re-reports every default figure', async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'completed'), dir, { recursive: true });
    const runDir = only(dir);
    const report = await buildReport(runDir, join(dir, 'reports'), { stages: 'default' });
    expect(report.stages.filter((s) => !s.ok)).toEqual([]);
    expect(existsSync(report.indexPath)).toBe(true);
  });
});
