import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../../src/config/sweep.js';
import { loadConfig } from '../../src/config/load.js';
import { withReference } from '../../scripts/docs.js';

describe('docs and shipped configs', () => {
  it('the README config reference is the one the schema generates (run `npm run docs`)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(withReference(readme));
    expect(readme).toContain('| `model.latentDim` |');
  });

  it('the README starts with the install-and-run command and the test command', () => {
    const readme = readFileSync('README.md', 'utf8');
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm install && npx tsx run configs/beta4.yaml');
    expect(firstBlock).toContain('npm test');
  });

  it.each([
    ['beta4', { latentDim: 10, hidden: [256], kind: 'vae', arch: 'mlp' }, 4, 128],
    ['vae-mlp-z2', { latentDim: 2, hidden: [256], kind: 'vae', arch: 'mlp' }, 1, 128],
    ['vae-mlp-z5', { latentDim: 5, kind: 'vae' }, 1, 128],
    ['vae-mlp-z10', { latentDim: 10, kind: 'vae' }, 1, 128],
    ['cvae-mlp-z2', { latentDim: 2, kind: 'cvae', arch: 'mlp' }, 1, 128],
    ['cvae-mlp-z5', { latentDim: 5, kind: 'cvae' }, 1, 128],
    ['vae-mlp512-z2', { latentDim: 2, hidden: [512] }, 1, 50],
    ['vae-conv-z2', { latentDim: 2, arch: 'conv', kind: 'vae' }, 1, 128],
    ['cvae-conv-z2', { latentDim: 2, arch: 'conv', kind: 'cvae' }, 1, 128],
  ])('configs/%s.yaml describes the model it is named for', (name, model, beta, batchSize) => {
    const { config } = loadConfig(`configs/${name}.yaml`);
    expect(config.name).toBe(name);
    expect(config.model).toMatchObject(model);
    expect(config.loss.beta).toBe(beta);
    expect(config.train).toMatchObject({ batchSize, epochs: 10, learningRate: 0.001 });
    expect(config.data.dataset).toBe('mnist');
  });

  it("configs/posts/ follow the posts: the latent-size study's six points, the conv post's z = 20, the Keras post's Glorot init", () => {
    const study = loadConfig('configs/posts/latent-size-study.yaml').config;
    expect(study.train.batchSize).toBe(64);
    const points = planSweep(study).points.map((p) => [p.config.model.kind, p.config.model.latentDim, p.config.train.epochs]);
    expect(points).toEqual([['vae', 2, 15], ['vae', 5, 10], ['vae', 10, 10], ['cvae', 2, 15], ['cvae', 5, 10], ['cvae', 10, 10]]);
    expect(loadConfig('configs/posts/conv-post-z20.yaml').config.model).toMatchObject({ arch: 'conv', latentDim: 20, init: 'pytorch' });
    const keras = loadConfig('configs/posts/keras-post-glorot.yaml').config;
    expect(keras.model).toMatchObject({ arch: 'mlp', hidden: [512], latentDim: 2, init: 'glorot' });
    expect(keras.train.batchSize).toBe(50);
  });
});
