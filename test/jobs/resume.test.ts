import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VaelabError } from '../../src/errors.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { readRunInfo, updateRunInfo } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

describe('resume refuses what would mix two runs into one', () => {
  let done: string;
  beforeAll(async () => {
    ({ runDir: done } = await train(tinyConfig({ train: { epochs: 1 } }), { out: join(tempDir(), 'experiments') }));
  });

  /** A copy of the finished run, marked interrupted, as a crash after its first epoch leaves it. */
  function interrupted(): string {
    const dir = join(tempDir(), 'run');
    cpSync(done, dir, { recursive: true });
    updateRunInfo(dir, { status: 'interrupted' });
    return dir;
  }

  it('a completed run', async () => {
    await expect(resume(done)).rejects.toThrow(/has already completed; nothing to resume/);
  });

  it('a config.yaml edited since the run began (a new seed, learning rate or epoch count)', async () => {
    for (const [from, to] of [['seed: 1', 'seed: 2'], ['learningRate: 0.001', 'learningRate: 0.01'], ['epochs: 1', 'epochs: 3']] as const) {
      const dir = interrupted();
      const path = join(dir, 'config.yaml');
      const text = readFileSync(path, 'utf8');
      expect(text).toContain(from);
      writeFileSync(path, text.replace(from, to));
      const before = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
      await expect(resume(dir)).rejects.toThrow(new RegExp(`config\\.yaml was edited after the run began`));
      expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(before); // nothing overwritten
      expect(readRunInfo(dir).status).toBe('interrupted');
    }
  });

  it('a checkpoint that is gone although epochs were trained', async () => {
    const dir = interrupted();
    rmSync(join(dir, 'checkpoint', 'state.json'));
    await expect(resume(dir)).rejects.toThrow(VaelabError);
    await expect(resume(dir)).rejects.toThrow(/checkpoint is missing or incomplete, but the run trained 1 epoch\(s\)/);
    const gone = interrupted();
    renameSync(join(gone, 'checkpoint'), join(gone, 'elsewhere'));
    await expect(resume(gone)).rejects.toThrow(/checkpoint is missing/);
  });

  it('an untouched interrupted run resumes', async () => {
    const dir = interrupted();
    const result = await resume(dir);
    expect(result.status).toBe('completed');
  });
});
