import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { canonicalJson } from '../../src/config/sweep.js';
import { VaelabError } from '../../src/errors.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { buildComparison } from '../../src/report/compare/index.js';
import { buildReport } from '../../src/report/render.js';
import { updateRunInfo } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

// run.json keeps the hash of the config the run was trained with; config.yaml is a text file anyone can edit.

describe('a run whose config.yaml was edited after training', () => {
  let done: string;
  beforeAll(async () => {
    ({ runDir: done } = await train(tinyConfig({ train: { epochs: 1 } }), { out: join(tempDir(), 'experiments') }));
  });

  /** A copy of the run with `edit` applied to its config.yaml. */
  function edited(edit: (yaml: string) => string): string {
    const dir = join(tempDir(), 'run');
    cpSync(done, dir, { recursive: true });
    const path = join(dir, 'config.yaml');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, edit(text));
    expect(readFileSync(path, 'utf8')).not.toBe(text);
    return dir;
  }

  it.each([
    ['hidden 32 -> 16 (a model that was never trained)', (y: string) => y.replace('hidden:\n    - 32', 'hidden:\n    - 16')],
    ['vae -> cvae', (y: string) => y.replace('kind: vae', 'kind: cvae')],
    ['latentDim 2 -> 3 (it ended in RangeError stacks)', (y: string) => y.replace('latentDim: 2', 'latentDim: 3')],
  ])('%s: report and compare refuse it with exit 2, naming the file', async (_what, edit) => {
    const dir = edited(edit);
    const reports = join(tempDir(), 'reports');
    const message = `${join(dir, 'config.yaml')} was edited after the run was trained`;
    await expect(buildReport(dir, reports, { stages: ['reconstructions'] })).rejects.toThrow(VaelabError);
    await expect(buildReport(dir, reports, { stages: ['reconstructions'] })).rejects.toThrow(message);
    await expect(buildComparison([done, dir], reports, { experiments: null })).rejects.toThrow(message);
    expect(await main(['report', dir, '--reports', reports])).toBe(2);
  });

  it('a comment or a new key order is no edit: the report is built', async () => {
    const dir = edited((y) => `# trained on the lab machine\n${stringify(parse(y), { sortMapEntries: true })}`);
    const result = await buildReport(dir, join(tempDir(), 'reports'), { stages: ['lossCurves'] });
    expect(result.stages.map((s) => s.ok)).toEqual([true]);
  });

  it('a run of an older vaelab (its config without keys added since) still reports and resumes', async () => {
    // as vaelab 0.2 wrote it: no eval.iwaeTrainImages, and the hash of that config in run.json
    const dir = edited((y) => y.replace(/^ {2}iwaeTrainImages: 0\n/m, ''));
    const old = parse(readFileSync(join(dir, 'config.yaml'), 'utf8')) as Record<string, unknown>;
    updateRunInfo(dir, { configSha256: createHash('sha256').update(canonicalJson(old)).digest('hex') });
    const result = await buildReport(dir, join(tempDir(), 'reports'), { stages: ['lossCurves'] });
    expect(result.stages.map((s) => s.ok)).toEqual([true]);
    updateRunInfo(dir, { status: 'interrupted' });
    expect((await resume(dir)).status).toBe('completed'); // it used to refuse: the defaults filled in changed the hash
  });
});
