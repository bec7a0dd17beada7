import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { DEFAULT_MEMORY_LIMIT, memoryLimit, memoryProblem, memoryTerms } from '../../src/config/size-bound.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { planSweep } from '../../src/config/sweep.js';
import { readRunConfig } from '../../src/run/run-dir.js';
import { ConfigError, VaelabError } from '../../src/errors.js';
import { tempDir } from '../helpers/tiny.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const dir = tempDir();

function yamlFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((e) => {
    const p = join(folder, e);
    return statSync(p).isDirectory() ? yamlFiles(p) : p.endsWith('.yaml') ? [p] : [];
  });
}

function issues(fn: () => unknown): ConfigError['issues'] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('the memory a config asks for', () => {
  afterEach(() => {
    delete process.env.VAELAB_MAX_MEMORY;
  });

  it('two 65536-unit layers are refused at load, at the key, with the size they imply', () => {
    const [issue] = issues(() => loadConfig('configs/vae-mlp-z2.yaml', { set: ['model.hidden=[65536,65536]'] }));
    expect(issue!.path).toBe('model.hidden');
    expect(issue!.message).toMatch(/needs about 1\d\d\.\d GiB of memory, over the limit of 4\.0 GiB; most of it is 8\.7 billion weights/);
    expect(issue!.message).toMatch(/VAELAB_MAX_MEMORY=\d+G/);
  });

  it('the value is located in the file it came from', () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, 'name: big\nmodel:\n  hidden: [40000, 40000]\n');
    const [issue] = issues(() => loadConfig(file));
    expect([issue!.file, issue!.line, issue!.path]).toEqual([file.replace(`${process.cwd()}/`, ''), 3, 'model.hidden']);
  });

  it('loss.samples 5000 (the schema maximum) at batch 128 is refused, not a wasm crash in Tile', () => {
    const [issue] = issues(() => loadConfig('configs/vae-mlp-z2.yaml', { set: ['loss.samples=5000'] }));
    expect(issue!.path).toBe('loss.samples');
    expect(issue!.message).toContain('128 images x 5000 samples');
  });

  it('eval.iwaeSamples (no schema maximum) counts: its log weights are kept for every image', () => {
    const [issue] = issues(() => loadConfig('configs/vae-mlp-z2.yaml', { set: ['eval.iwaeSamples=1000000'] }));
    expect(issue!.path).toBe('eval.iwaeSamples');
    expect(issue!.message).toContain("the IWAE estimate's log weights: 1000 images x 1000000 samples");
  });

  it("a trained run's config is read (for a report) whatever the bound; loading it to train is bounded", () => {
    const run = join(dir, 'run');
    mkdirSync(run);
    writeFileSync(join(run, 'config.yaml'), 'name: big\nmodel:\n  hidden: [16384, 16384]\n');
    expect(readRunConfig(run).model).toMatchObject({ hidden: [16384, 16384] });
    expect(() => loadConfig(join(run, 'config.yaml'))).toThrow(/over the limit of 4\.0 GiB/);
  });

  it('a queued job is refused by the same check (parseConfig is the worker\'s)', () => {
    const raw = { name: 'q', model: { hidden: [65536, 65536] } };
    expect(() => parseConfig(raw)).toThrow(/model\.hidden: this config needs about/);
  });

  it('a sweep point that asks too much is named', () => {
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, 'name: s\nsweep:\n  model.hidden: [[64], [65536, 65536]]\n');
    const [issue] = issues(() => loadConfig(file));
    expect(issue!.path).toBe('sweep');
    expect(issue!.message).toMatch(/^point hidden=65536-65536: model\.hidden: this config needs about/);
  });

  it('VAELAB_MAX_MEMORY raises (or lowers) the bound; a malformed one is a user error', () => {
    const big = ConfigSchema.parse({ model: { hidden: [16384, 16384] } });
    expect(memoryProblem(big)).not.toBeNull();
    expect(memoryProblem(big, memoryLimit({ VAELAB_MAX_MEMORY: '64G' }))).toBeNull();
    process.env.VAELAB_MAX_MEMORY = '64GiB';
    expect(() => loadConfig('configs/vae-mlp-z2.yaml', { set: ['model.hidden=[16384,16384]'] })).not.toThrow();
    process.env.VAELAB_MAX_MEMORY = '10M';
    expect(() => loadConfig('configs/vae-mlp-z2.yaml')).toThrow(/over the limit of 10 MiB/);
    expect(memoryLimit({})).toBe(DEFAULT_MEMORY_LIMIT);
    expect(memoryLimit({ VAELAB_MAX_MEMORY: '512M' })).toBe(512 * 2 ** 20);
    expect(() => memoryLimit({ VAELAB_MAX_MEMORY: 'lots' })).toThrow(VaelabError);
    expect(() => memoryLimit({ VAELAB_MAX_MEMORY: '-1G' })).toThrow(/expected a size such as 8G/);
  });

  it('every shipped config, each sweep point included, fits the default bound with room', () => {
    const files = yamlFiles('configs');
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const { config } = loadConfig(file);
      for (const c of config.sweep === null ? [config] : planSweep(config).points.map((p) => p.config)) {
        const total = memoryTerms(c).reduce((n, t) => n + t.bytes, 0);
        expect(total, file).toBeLessThan(DEFAULT_MEMORY_LIMIT / 2);
      }
    }
  });

  it('the CLI exits 2 at once, no stack, nothing trained', () => {
    const out = join(dir, 'out');
    const r = spawnSync(TSX, ['run.ts', 'configs/vae-mlp-z2.yaml', '--set', 'model.hidden=[65536,65536]', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--set model\.hidden: this config needs about/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(() => readdirSync(out)).toThrow(); // no run folder
  });
});
