import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { train } from '../../src/jobs/pipeline.js';
import { buildReport, REPORT_FORMAT, type StageResult } from '../../src/report/render.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

describe('report.json', () => {
  it('says each stage\'s status, seconds and files, for the run it reports, and every file it names exists', async () => {
    const tmp = tempDir();
    const { runDir } = await train(tinyConfig({ name: 'report-json', data: { trainLimit: 128, testLimit: 64 }, train: { epochs: 1 } }), { out: join(tmp, 'runs') });
    const result = await buildReport(runDir, join(tmp, 'reports'), { stages: ['lossCurves', 'reconstructions', { type: 'classMeanGrid', label: 42 }, 'exports'] });
    const dir = join(result.indexPath, '..');
    const record = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { formatVersion: number; run: { name: string }; seconds: number; stages: StageResult[] };
    expect(record.formatVersion).toBe(REPORT_FORMAT);
    expect(record.run.name).toBe('report-json');
    expect(record.stages.map((s) => [s.type, s.ok])).toEqual([['lossCurves', true], ['reconstructions', true], ['classMeanGrid', false], ['exports', true]]);
    expect(record.stages[2]!.error).toContain('label 42 is not a class');
    for (const s of record.stages) {
      expect(s.seconds).toBeGreaterThanOrEqual(0);
      for (const f of s.files) expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(record.stages[1]!.files.length).toBeGreaterThan(0); // the reconstruction PNGs
    expect(record.seconds).toBeCloseTo(record.stages.reduce((t, s) => t + s.seconds, 0), 6);
  });

  it('a run made by vaelab 0.1 (a conv config.yaml that still lists hidden) is still reported', async () => {
    const tmp = tempDir();
    const { runDir } = await train(tinyConfig({ name: 'old-conv', model: { arch: 'conv' }, data: { trainLimit: 64, testLimit: 32 }, train: { epochs: 1, batchSize: 32, evalBatchSize: 32 } }), { out: join(tmp, 'runs') });
    const copy = join(tmp, 'old');
    cpSync(runDir, copy, { recursive: true });
    const path = join(copy, 'config.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('  arch: conv\n', '  arch: conv\n  hidden:\n    - 256\n'));
    expect(readFileSync(path, 'utf8')).toContain('hidden');
    const result = await buildReport(copy, join(tmp, 'reports'), { stages: ['lossCurves'] });
    expect(result.stages.map((s) => s.ok)).toEqual([true]);
  });
});
