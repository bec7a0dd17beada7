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
