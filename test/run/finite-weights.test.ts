import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { VaelabError } from '../../src/errors.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { buildComparison } from '../../src/report/compare/index.js';
import { buildReport } from '../../src/report/render.js';
import { loadVae } from '../../src/run/checkpoint.js';
import { readRunInfo, updateRunInfo } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

interface Manifest {
  weightsManifest: { weights: { name: string; shape: number[] }[] }[];
}

/**
 * A copy of `runDir` whose decoder's second weight tensor holds `value` at its element 3 (a NaN from a
 * diverged step, a flipped bit): returns the copy, the weights file and the tensor's name.
 */
function poisoned(runDir: string, value: number): { dir: string; file: string; tensor: string } {
  const dir = join(tempDir(), 'run');
  cpSync(runDir, dir, { recursive: true });
  const decoder = join(dir, 'checkpoint', 'decoder');
  const specs = (JSON.parse(readFileSync(join(decoder, 'model.json'), 'utf8')) as Manifest).weightsManifest[0]!.weights;
  const offset = specs[0]!.shape.reduce((a, b) => a * b, 1) * 4; // float32, in manifest order
  const file = join(decoder, 'weights.bin');
  const bytes = readFileSync(file);
  bytes.writeFloatLE(value, offset + 3 * 4);
  writeFileSync(file, bytes);
  return { dir, file, tensor: specs[1]!.name };
}

describe('a checkpoint whose weights are not finite', () => {
  let done: string;
  beforeAll(async () => {
    ({ runDir: done } = await train(tinyConfig({ train: { epochs: 1 } }), { out: join(tempDir(), 'experiments') }));
  });

  it('is refused on load, naming the file, the tensor and the value', async () => {
    const { dir, file, tensor } = poisoned(done, NaN);
    await expect(loadVae(join(dir, 'checkpoint'))).rejects.toThrow(VaelabError);
    await expect(loadVae(join(dir, 'checkpoint'))).rejects.toThrow(`${file}: weight ${tensor} holds NaN at element 3`);
    const inf = poisoned(done, -Infinity);
    await expect(loadVae(join(inf.dir, 'checkpoint'))).rejects.toThrow(`weight ${inf.tensor} holds -Infinity at element 3`);
  });

  it('report and compare refuse it before drawing anything (they drew black images and exited 0)', async () => {
    const { dir, file, tensor } = poisoned(done, NaN);
    const reports = join(tempDir(), 'reports');
    await expect(buildReport(dir, reports, { stages: ['reconstructions'] })).rejects.toThrow(`${file}: weight ${tensor} holds NaN`);
    expect(await main(['report', dir, '--reports', reports])).toBe(2);
    await expect(buildComparison([done, dir], reports, { experiments: null })).rejects.toThrow(`${file}: weight ${tensor} holds NaN`);
  });

  it('resume refuses it before training, and leaves the run as it was', async () => {
    const { dir, file } = poisoned(done, NaN);
    updateRunInfo(dir, { status: 'interrupted' });
    await expect(resume(dir)).rejects.toThrow(`${file}: weight`);
    expect(readRunInfo(dir).status).toBe('interrupted');
  });
});
