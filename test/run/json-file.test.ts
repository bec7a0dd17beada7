import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VaelabError } from '../../src/errors.js';
import { readRunInfo } from '../../src/run/run-dir.js';
import { readVersionedJson } from '../../src/run/json-file.js';
import { tempDir } from '../helpers/tiny.js';

describe('the run directory JSON files', () => {
  it('a damaged run.json is a user error naming the file, not a crash', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'run.json'), '{"formatVersion": 1, "name": "x"'); // torn mid-write by hand
    expect(() => readRunInfo(dir)).toThrow(VaelabError);
    expect(() => readRunInfo(dir)).toThrow(new RegExp(`cannot read ${join(dir, 'run.json').replace(/[/\\.]/g, '\\$&')}`));
  });

  it('refuses a format it does not know, saying which and what it reads', () => {
    const dir = tempDir();
    const path = join(dir, 'metrics.json');
    writeFileSync(path, JSON.stringify({ formatVersion: 7 }));
    expect(() => readVersionedJson(path, 'metrics', 1)).toThrow(`${path}: metrics format 7, this vaelab reads format 1`);
    writeFileSync(path, JSON.stringify({ formatVersion: 1, value: 3 }));
    expect(readVersionedJson<{ formatVersion: number; value: number }>(path, 'metrics', 1).value).toBe(3);
  });
});

describe('a damaged checkpoint', () => {
  it('a truncated weights file is a user error naming it and the bytes expected, for the model and for Adam', async () => {
    const { train } = await import('../../src/jobs/pipeline.js');
    const { loadVae, readOptimizerWeights } = await import('../../src/run/checkpoint.js');
    const { tinyConfig } = await import('../helpers/tiny.js');
    const { cpSync, statSync, truncateSync } = await import('node:fs');
    const { runDir } = await train(tinyConfig({ train: { epochs: 1 } }), { out: join(tempDir(), 'experiments') });
    const copy = join(tempDir(), 'run');
    cpSync(runDir, copy, { recursive: true });
    const weights = join(copy, 'checkpoint', 'encoder', 'weights.bin');
    const size = statSync(weights).size;
    truncateSync(weights, size - 100);
    await expect(loadVae(join(copy, 'checkpoint'))).rejects.toThrow(`${weights} is damaged: ${size - 100} bytes, its manifest declares ${size}`);
    const adam = join(copy, 'checkpoint', 'optimizer.bin');
    truncateSync(adam, 10);
    expect(() => readOptimizerWeights(join(copy, 'checkpoint'))).toThrow(VaelabError);
    expect(() => readOptimizerWeights(join(copy, 'checkpoint'))).toThrow(`${adam} is damaged: 10 bytes`);
  });
});
