import { configIssues as issues } from '../helpers/config-issues.js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigSchema } from '../../src/config/schema.js';

describe('model.intermediate: a second stochastic layer', () => {
  it('defaults to null (one stochastic layer), and the paper presets set h1 = 100 with 100-100 below z = 50', () => {
    expect(ConfigSchema.parse({}).model).toMatchObject({ arch: 'mlp', intermediate: null });
    for (const preset of ['vae-k1', 'vae-k5', 'vae-k50', 'iwae-k1', 'iwae-k5', 'iwae-k50']) {
      const { config } = loadConfig(`configs/iwae-paper/${preset}-2layer.yaml`);
      expect(config.model).toMatchObject({ hidden: [200, 200], latentDim: 50, intermediate: { latentDim: 100, hidden: [100, 100] }, activation: 'tanh' });
      expect(config.name).toBe(`iwae-paper-${preset}-2layer`);
      expect(config.train.adam.variant).toBe('iwae-code');
    }
  });

  it('refuses free bits, which need a closed-form KL per dimension, naming the key', () => {
    const found = issues('model:\n  intermediate: {latentDim: 4, hidden: [8]}\nloss:\n  freeBits: 0.5\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^4 loss\.freeBits: free bits floor each latent dimension's closed-form KL, which a model with model\.intermediate .* expected null, found 0\.5$/);
  });

  it('is an mlp key: a conv model refuses it, located, saying whose key it is', () => {
    const found = issues('model:\n  arch: conv\n  intermediate: {latentDim: 4, hidden: [8]}\n');
    expect(found).toEqual(['3 model.intermediate: "intermediate" is a key of arch mlp, not of arch conv; expected one of: kind, arch, latentDim, init']);
  });

  it('checks its own keys: sizes at least 1, and nothing else', () => {
    const found = issues('model:\n  intermediate: {latentDim: 0, hidden: [], depth: 2}\n');
    expect(found.some((f) => f.includes('model.intermediate.latentDim'))).toBe(true);
    expect(found.some((f) => f.includes('model.intermediate.hidden'))).toBe(true);
    expect(found.some((f) => /model\.intermediate\.depth: unknown key/.test(f))).toBe(true);
  });
});
