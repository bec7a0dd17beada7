import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { expandSweep, nameSweepPoints, planSweep, sweepableKeys, sweepId } from '../../src/config/sweep.js';
import { ConfigError, VaelabError } from '../../src/errors.js';
import { safePathName } from '../../src/config/names.js';
import { tempDir } from '../helpers/tiny.js';

function write(text: string): string {
  const path = join(tempDir(), 'sweep.yaml');
  writeFileSync(path, text);
  return path;
}

function issuesOf(fn: () => unknown): ConfigError['issues'] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('a sweep over the architecture', () => {
  it('gives each point the model keys of its arch: the base\'s hidden layers stay on mlp and leave conv', () => {
    const plan = planSweep(parseConfig({ name: 'a', model: { hidden: [64] }, sweep: { 'model.arch': ['mlp', 'conv'] } }));
    expect(plan.points.map((p) => p.config.model)).toEqual([
      { family: 'gaussian', kind: 'vae', arch: 'mlp', hidden: [64], latentDim: 2, init: 'pytorch', activation: 'relu', outputBias: 'zero' },
      { family: 'gaussian', kind: 'vae', arch: 'conv', latentDim: 2, init: 'pytorch' },
    ]);
  });
});

describe('relative data folders in a sweep', () => {
  it('resolve against the config file, like data.dir itself, and name points by their last part', () => {
    const file = write('name: d\ndata: {dataset: idx, dir: good}\nsweep:\n  data.dir: [good, ../elsewhere/goodgz]\n');
    const dir = join(file, '..');
    const plan = planSweep(loadConfig(file).config);
    expect(plan.points.map((p) => [p.name, p.config.data.dir])).toEqual([
      ['dir=good', join(dir, 'good')],
      ['dir=goodgz', join(dir, '..', 'elsewhere', 'goodgz')],
    ]);
    const list = planSweep(loadConfig(write('name: d\ndata: {dataset: idx, dir: good}\nsweep:\n  - {data.dir: other}\n')).config);
    expect(list.points[0]!.config.data.dir).toMatch(/\/other$/);
    expect(list.points[0]!.config.data.dir!.startsWith('/')).toBe(true);
  });

  it('that name one folder two ways are one point: refused once the paths are resolved', () => {
    const config = loadConfig(write('name: d\ndata: {dataset: idx, dir: good}\nsweep:\n  data.dir: [good, ./good]\n')).config;
    expect(() => planSweep(config)).toThrow(VaelabError);
    expect(() => planSweep(config)).toThrow(/^points 1 \(dir=good-\w+\) and 2 \(dir=good-\w+\) resolve to the same config/);
  });
});

describe('a sweep so large it is surely a mistake', () => {
  it('is refused before it is expanded, unless a higher limit is asked for', () => {
    const text = 'name: big\nsweep:\n  model.latentDim: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n  loss.beta: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n';
    const file = write(text);
    expect(issuesOf(() => loadConfig(file)).map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`)).toEqual([
      '2:1 sweep: 1100 points: more than the limit of 1000, which is surely a mistake (raise it with --max-points N)',
    ]);
    expect(planSweep(loadConfig(file, { maxSweepPoints: 1100 }).config).points).toHaveLength(1100);
    const huge = write('name: huge\nsweep:\n' + Array.from({ length: 7 }, (_, i) => `  ${['seed', 'model.latentDim', 'loss.beta', 'train.epochs', 'train.batchSize', 'train.learningRate', 'eval.iwaeSamples'][i]}: [${Array.from({ length: 10 }, (_, j) => j + 1).join(', ')}]`).join('\n') + '\n');
    expect(issuesOf(() => loadConfig(huge))[0]!.message).toMatch(/^10000000 points: more than the limit/);
  });
});

describe('grid expansion', () => {
  it('is every combination, the first key outermost and values in file order', () => {
    expect(expandSweep({ 'model.latentDim': [2, 5, 10], 'loss.beta': [1, 4] })).toEqual([
      { 'model.latentDim': 2, 'loss.beta': 1 },
      { 'model.latentDim': 2, 'loss.beta': 4 },
      { 'model.latentDim': 5, 'loss.beta': 1 },
      { 'model.latentDim': 5, 'loss.beta': 4 },
      { 'model.latentDim': 10, 'loss.beta': 1 },
      { 'model.latentDim': 10, 'loss.beta': 4 },
    ]);
  });

  it('takes a list of points as exactly those points', () => {
    const points = [{ 'loss.beta': 0 }, { 'loss.reconstructionWeight': 0, 'loss.beta': 1 }];
    expect(expandSweep(points)).toEqual(points);
  });

  it('gives each point a config with its values set, the rest untouched, and no sweep', () => {
    const config = parseConfig({ name: 'grid', model: { hidden: [64] }, sweep: { 'model.latentDim': [3, 4], 'model.hidden': [[32], [64, 16]] } });
    const plan = planSweep(config);
    expect(plan.keys).toEqual(['model.latentDim', 'model.hidden']);
    expect(plan.points.map((p) => p.name)).toEqual(['latentDim=3,hidden=32', 'latentDim=3,hidden=64-16', 'latentDim=4,hidden=32', 'latentDim=4,hidden=64-16']);
    const last = plan.points[3]!.config;
    expect(last.model).toEqual({ family: 'gaussian', kind: 'vae', arch: 'mlp', hidden: [64, 16], latentDim: 4, init: 'pytorch', activation: 'relu', outputBias: 'zero' });
    expect(last.sweep).toBeNull();
    expect(last.name).toBe('grid');
    expect(config.model).toMatchObject({ hidden: [64] }); // the base is not mutated
  });
});

describe('point names', () => {
  it('are key=value pairs, short keys unless two swept keys end alike', () => {
    const names = nameSweepPoints([{ 'model.latentDim': 2, 'loss.beta': 4 }, { 'train.batchSize': 64, 'train.evalBatchSize': 64 }, {}]);
    expect(names.map((n) => n.name)).toEqual(['latentDim=2,beta=4', 'batchSize=64,evalBatchSize=64', 'base']);
    const clash = nameSweepPoints([{ 'train.batchSize': 1, 'eval.batchSize': 2 }]);
    expect(clash[0]!.name).toBe('train.batchSize=1,eval.batchSize=2');
  });

  it('are safe for paths: separators and odd characters replaced, long names shortened with a hash', () => {
    expect(safePathName('dir=../a/b c')).toBe('dir=.._a_b_c');
    expect(safePathName('.hidden')).toBe('_.hidden');
    expect(safePathName('')).toBe('_');
    const long = safePathName(`x=${'9'.repeat(300)}`);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).not.toBe(safePathName(`x=${'9'.repeat(299)}`));
    const [a, b] = nameSweepPoints([{ 'data.dir': 'a/b' }, { 'data.dir': 'a_b' }]);
    expect(a!.name).not.toBe(b!.name); // equal once made safe: told apart by a hash of the values
  });
});

describe('sweep id', () => {
  it('is the same for the same resolved config, whatever the key order, and differs otherwise', () => {
    const a = parseConfig({ name: 's', sweep: { 'model.latentDim': [2, 5] }, loss: { beta: 2 } });
    const b = parseConfig({ loss: { beta: 2 }, sweep: { 'model.latentDim': [2, 5] }, name: 's' });
    const c = parseConfig({ name: 's', sweep: { 'model.latentDim': [2, 5] }, loss: { beta: 3 } });
    expect(sweepId(a)).toMatch(/^sweep-[0-9a-f]{8}$/);
    expect(sweepId(a)).toBe(sweepId(b));
    expect(sweepId(a)).not.toBe(sweepId(c));
  });
});

describe('sweep validation in loadConfig', () => {
  it('names an unknown sweep key with file:line:col and a did-you-mean', () => {
    const file = write('name: s\nsweep:\n  model.latentDim: [2, 5]\n  loss.betta: [1, 4]\n');
    const issues = issuesOf(() => loadConfig(file));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 4, col: 3, path: 'sweep.loss.betta' });
    expect(issues[0]!.file).toMatch(/sweep\.yaml$/);
    expect(issues[0]!.message).toMatch(/unknown config key "loss\.betta" \(did you mean "loss\.beta"\?\)/);
    expect(new ConfigError(issues).message).toMatch(/sweep\.yaml:4:3 sweep\.loss\.betta: unknown config key/);
  });

  it('locates an unknown key inside a list of points at its item', () => {
    const file = write('name: s\nsweep:\n  - { loss.beta: 0 }\n  - loss.reconstructionWeight: 0\n    modle.latentDim: 3\n');
    const issues = issuesOf(() => loadConfig(file));
    expect(issues[0]).toMatchObject({ line: 5, col: 5, path: 'sweep.1.modle.latentDim' });
    expect(issues[0]!.message).toContain('did you mean "model.latentDim"');
  });

  it('refuses sections, name and nested sweeps as sweep keys', () => {
    const issues = issuesOf(() => parseConfig({ sweep: { model: [1], name: ['a', 'b'] } }));
    expect(issues.map((i) => i.path)).toEqual(['sweep.model', 'sweep.name']);
    expect(issues[1]!.message).toMatch(/a sweep cannot set "name"/);
  });

  it('reports a value that makes a point invalid once, with its key and value', () => {
    const file = write('name: s\nsweep:\n  model.latentDim: [0, 5]\n  loss.beta: [1, -4]\n');
    const issues = issuesOf(() => loadConfig(file));
    expect(issues.map((i) => [i.path, i.line, i.message])).toEqual([
      ['sweep.model.latentDim', 3, 'value 0: expected >= 1, found number 0'],
      ['sweep.loss.beta', 4, 'value -4: expected >= 0, found number -4'],
    ]);
  });

  it('blames a cross-key problem on the swept value that causes it', () => {
    const issues = issuesOf(() => parseConfig({ sweep: { 'model.latentDim': [2, 3], 'data.dataset': ['mnist', 'idx'] } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('sweep.data.dataset');
    expect(issues[0]!.message).toMatch(/value "idx" makes data\.dir invalid/);
  });

  it('rejects empty value lists, duplicate points and a sweep of the wrong shape', () => {
    expect(issuesOf(() => parseConfig({ sweep: { 'loss.beta': [] } }))[0]!.message).toMatch(/at least 1 items/);
    expect(issuesOf(() => parseConfig({ sweep: [{ 'loss.beta': 2 }, { 'loss.beta': 2 }] }))[0]!.message).toMatch(/points 1 and 2 set the same values/);
    expect(issuesOf(() => parseConfig({ sweep: { model: { latentDim: [2] } } }))[0]!.message).toMatch(/mapping of dotted keys to lists/);
  });

  it('refuses two points that resolve to the same config, naming both (on a queue they would share one job)', () => {
    const file = write('name: s\nmodel: {latentDim: 2}\nsweep:\n  - {model.latentDim: 2}\n  - {}\n');
    const issues = issuesOf(() => loadConfig(file));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'sweep.1', line: 5 });
    expect(issues[0]!.message).toBe('points 1 (latentDim=2) and 2 (base) resolve to the same config: one of them is redundant');
    // a grid whose values differ only in form (1 and 1.0 are one YAML number) is the literal case, reported once
    const literal = issuesOf(() => parseConfig({ sweep: { 'loss.beta': [1, 1.0] } }));
    expect(literal).toHaveLength(1);
    expect(literal[0]!.message).toMatch(/^points 1 and 2 set the same values/);
  });

  it('accepts a sweep from --set, and --set sweep=null turns a sweep config into a single run', () => {
    const file = write('name: s\nsweep:\n  model.latentDim: [2, 5]\n');
    expect(loadConfig(file, { set: ['sweep=null'] }).config.sweep).toBeNull();
    const set = loadConfig(file, { set: ['sweep={loss.beta: [1, 2, 3]}'] }).config;
    expect(planSweep(set).points.map((p) => p.name)).toEqual(['beta=1', 'beta=2', 'beta=3']);
    const bad = issuesOf(() => loadConfig(file, { set: ['sweep={loss.bta: [1]}'] }));
    expect(bad[0]).toMatchObject({ file: null, path: 'sweep.loss.bta' });
  });

  it('lets a sweep set every leaf key but name', () => {
    const keys = sweepableKeys();
    expect(keys).toEqual(expect.arrayContaining(['model.latentDim', 'loss.beta', 'loss.reconstructionWeight', 'eval.iwaeSamples', 'seed']));
    expect(keys).not.toContain('name');
    expect(keys).not.toContain('sweep');
    expect(keys).not.toContain('model');
  });
});

describe('shipped sweep configs', () => {
  it.each([
    ['sweep-latent', ['latentDim=2', 'latentDim=5', 'latentDim=10']],
    ['sweep-beta', ['beta=0.5', 'beta=1', 'beta=4', 'beta=8']],
    ['sweep-cvae', ['kind=vae,latentDim=2', 'kind=vae,latentDim=5', 'kind=cvae,latentDim=2', 'kind=cvae,latentDim=5']],
    ['ablation', ['reconstructionWeight=1,beta=0', 'reconstructionWeight=0,beta=1', 'reconstructionWeight=1,beta=1']],
  ])('configs/%s.yaml plans its points', (name, points) => {
    const { config } = loadConfig(`configs/${name}.yaml`);
    expect(config.name).toBe(name);
    const plan = planSweep(config);
    expect(plan.points.map((p) => p.name)).toEqual(points);
    for (const p of plan.points) expect(p.config.train).toMatchObject({ epochs: 10, batchSize: 128 });
  });

  it('ablation pairs its weights: reconstruction only, KL only, the full loss', () => {
    const losses = planSweep(loadConfig('configs/ablation.yaml').config).points.map((p) => p.config.loss);
    expect(losses).toEqual([
      { objective: 'elbo', samples: 1, beta: 0, reconstructionWeight: 1, warmup: null, freeBits: null },
      { objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 0, warmup: null, freeBits: null },
      { objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 1, warmup: null, freeBits: null },
    ]);
  });
});
