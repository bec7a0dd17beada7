import { configIssues as issues } from '../helpers/config-issues.js';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { planSweep } from '../../src/config/sweep.js';
import { ConfigSchema } from '../../src/config/schema.js';
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

  it('names the families a config may choose', () => {
    expect(issues('model:\n  family: ladder\n')).toEqual([expect.stringMatching(/^2 model\.family: expected "gaussian" \| "two-layer", found "ladder"$/)]);
  });
});
