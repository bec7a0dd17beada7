import { configIssues as issues } from '../helpers/config-issues.js';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { planSweep } from '../../src/config/sweep.js';
import { ConfigSchema, type Config } from '../../src/config/schema.js';
import { pointJobId } from '../../src/queue/payloads.js';
import '../../src/models/families/index.js'; // registers the two-layer family's section

describe('model.family two-layer: a second stochastic layer', () => {
  it('is not the default (the Gaussian VAE is), and the paper presets set h1 = 100 with 100-100 below z = 50', () => {
    expect(ConfigSchema.parse({}).model).toEqual(expect.objectContaining({ family: 'gaussian', arch: 'mlp' }));
    expect(ConfigSchema.parse({}).model).not.toHaveProperty('intermediate');
    for (const preset of ['vae-k1', 'vae-k5', 'vae-k50', 'iwae-k1', 'iwae-k5', 'iwae-k50']) {
      const { config } = loadConfig(`configs/iwae-paper/${preset}-2layer.yaml`);
      expect(config.model).toMatchObject({ family: 'two-layer', hidden: [200, 200], latentDim: 50, intermediate: { latentDim: 100, hidden: [100, 100] }, activation: 'tanh' });
      expect(config.name).toBe(`iwae-paper-${preset}-2layer`);
      expect(config.train.adam.variant).toBe('iwae-code');
    }
  });

  it('reads configs written before model.family: intermediate {…} is family two-layer, intermediate null the Gaussian VAE', () => {
    expect(parseConfig({ model: { intermediate: { latentDim: 4, hidden: [8] } } }).model).toMatchObject({ family: 'two-layer', intermediate: { latentDim: 4, hidden: [8] } });
    const one = parseConfig({ model: { hidden: [16], intermediate: null } }).model;
    expect(one).toMatchObject({ family: 'gaussian', hidden: [16] });
    expect(one).not.toHaveProperty('intermediate');
    // a section that names its family is taken as written
    expect(issues('model:\n  family: gaussian\n  intermediate: {latentDim: 4, hidden: [8]}\n')).toEqual([
      '3 model.intermediate: "intermediate" is a key of model.family two-layer, not of gaussian; expected one of: family, kind, arch, hidden, latentDim, init, activation, outputBias',
    ]);
  });

  it('refuses free bits, which need a closed-form KL per dimension, naming the key', () => {
    const found = issues('model:\n  family: two-layer\n  intermediate: {latentDim: 4, hidden: [8]}\nloss:\n  freeBits: 0.5\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^5 loss\.freeBits: free bits floor each latent dimension's closed-form KL, which a model of family two-layer .* expected null, found 0\.5$/);
  });

  it('is an mlp family: a conv model is refused, located', () => {
    const found = issues('model:\n  family: two-layer\n  arch: conv\n  intermediate: {latentDim: 4, hidden: [8]}\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^3 model\.arch: .*"mlp".*found "conv"/);
  });

  it('checks its own keys: sizes at least 1, nothing else, and the section is required', () => {
    const found = issues('model:\n  family: two-layer\n  intermediate: {latentDim: 0, hidden: [], depth: 2}\n');
    expect(found.some((f) => f.includes('model.intermediate.latentDim'))).toBe(true);
    expect(found.some((f) => f.includes('model.intermediate.hidden'))).toBe(true);
    expect(found.some((f) => /model\.intermediate\.depth: unknown key/.test(f))).toBe(true);
    expect(issues('model:\n  family: two-layer\n')).toEqual([expect.stringMatching(/model\.intermediate: missing: expected object/)]);
  });

  it('a sweep may switch families: model.intermediate over null and a layer gives one Gaussian and one two-layer point', () => {
    const plan = planSweep(parseConfig({ model: { hidden: [16] }, sweep: { 'model.intermediate': [null, { latentDim: 4, hidden: [8] }] } }));
    expect(plan.points.map((p) => p.config.model.family)).toEqual(['gaussian', 'two-layer']);
    expect(plan.points[0]!.config.model).not.toHaveProperty('intermediate');
    expect(plan.points[1]!.config.model).toMatchObject({ hidden: [16], intermediate: { latentDim: 4, hidden: [8] } });
    // and a two-layer base sweeps its own keys
    const inner = planSweep(parseConfig({ model: { family: 'two-layer', intermediate: { latentDim: 4, hidden: [8] } }, sweep: { 'model.intermediate.latentDim': [4, 6] } }));
    expect(inner.points.map((p) => p.config.model)).toEqual([expect.objectContaining({ family: 'two-layer', intermediate: { latentDim: 4, hidden: [8] } }), expect.objectContaining({ intermediate: { latentDim: 6, hidden: [8] } })]);
  });

  it('a two-layer base cleared by a point (model.intermediate: null) gives a Gaussian point, as before model.family', () => {
    const plan = planSweep(parseConfig({ model: { family: 'two-layer', hidden: [16], intermediate: { latentDim: 4, hidden: [8] } }, sweep: { 'model.intermediate': [null, { latentDim: 6, hidden: [8] }] } }));
    expect(plan.points.map((p) => p.config.model.family)).toEqual(['gaussian', 'two-layer']);
  });

  it('keeps the ids of sweeps and queued points made before model.family, so they resume in place', () => {
    // recorded from vaelab at da7332f, the commit before model families
    const recorded: [Config, string, string][] = [
      [loadConfig('configs/sweep-beta.yaml').config, 'sweep-7787661d', 'p-b52bbe4be77e9eb6665d1923a8f7cc7e24194a9b'],
      [loadConfig('configs/sweep-cvae.yaml').config, 'sweep-01b4b43e', 'p-e1c0c0ede9144639956694a7dc45e4a92dd11e28'],
      [parseConfig({ name: 'two', model: { hidden: [16], intermediate: { latentDim: 4, hidden: [8] } }, sweep: { 'model.latentDim': [2, 3] } }), 'sweep-25cfebdb', 'p-823ee496c5df6258248850e1b1b590c1b69c86b7'],
      [parseConfig({ name: 'conv', model: { arch: 'conv' }, sweep: { 'loss.beta': [1, 2] } }), 'sweep-e3b62b81', 'p-510c4bc95b95e563e0fe5f489f7f2c5d039acf79'],
    ];
    for (const [config, id, job] of recorded) {
      const plan = planSweep(config);
      expect(plan.id).toBe(id);
      expect(pointJobId(plan.id, plan.points[0]!.config)).toBe(job);
    }
  });

  it('leaves the caller\'s object as it was given', () => {
    const given = { model: { hidden: [8], intermediate: null } };
    parseConfig(given);
    expect(given).toEqual({ model: { hidden: [8], intermediate: null } });
  });

  it('names the families a config may choose', () => {
    expect(issues('model:\n  family: ladder\n')).toEqual([expect.stringMatching(/^2 model\.family: expected "gaussian" \| "two-layer" \| "info-vae" \| "beta-tcvae", found "ladder"$/)]);
  });
});
