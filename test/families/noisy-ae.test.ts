import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { parseConfig } from '../../src/config/load.js';
import { train } from '../../src/jobs/pipeline.js';
import { registerFamily } from '../../src/models/families/index.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import { buildComparison } from '../../src/report/compare/index.js';
import { resolveStages } from '../../src/report/registry.js';
import { buildReport } from '../../src/report/render.js';
import { loadVae } from '../../src/run/checkpoint.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { configIssues } from '../helpers/config-issues.js';
import { tempDir } from '../helpers/tiny.js';
import { noisyAe } from './noisy-ae/index.js';

/**
 * A model family is one folder: test/families/noisy-ae defines one outside src/ (its config section, its
 * networks, its objective, no likelihood), registers it, and the whole of vaelab trains, evaluates, saves,
 * loads and reports it through the family interface alone.
 */
const CONFIG = {
  name: 'noisy',
  backend: 'wasm',
  data: { trainLimit: 256, testLimit: 128 },
  model: { family: 'noisy-ae', hidden: [32], latentDim: 2, noise: 0.2 },
  train: { epochs: 3, batchSize: 64, evalBatchSize: 64 },
  eval: { iwaeImages: 16, iwaeSamples: 8 },
  report: { stages: [] },
};

describe('a model family defined outside src/ (noisy-ae)', () => {
  let unregister: () => void = () => undefined;
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(() => unregister());

  it('is unknown to the config until registered, then a shape of the model section with its own keys checked', () => {
    expect(configIssues('model:\n  family: noisy-ae\n')).toEqual([expect.stringMatching(/^2 model\.family: expected "gaussian" \| "two-layer" \| "info-vae" \| "beta-tcvae", found "noisy-ae"$/)]);
    unregister = registerFamily(noisyAe);
    expect(() => registerFamily(noisyAe)).toThrow(/already registered/);
    expect(parseConfig({ model: { family: 'noisy-ae' } }).model).toMatchObject({ family: 'noisy-ae', noise: 0.1, arch: 'mlp', hidden: [256] });
    expect(configIssues('model:\n  family: noisy-ae\n  noise: -1\n')).toEqual([expect.stringMatching(/^3 model\.noise: expected > 0, found number -1$/)]);
    expect(configIssues('model:\n  family: noisy-ae\nloss:\n  objective: iwae\n')).toEqual([expect.stringMatching(/^4 loss\.objective: model\.family noisy-ae has no likelihood/)]);
    expect(configIssues('model:\n  noise: 0.5\n')).toEqual([expect.stringMatching(/^2 model\.noise: "noise" is a key of model\.family noisy-ae, not of gaussian/)]);
  });

  it('trains, saves and loads through the interface: the objective falls, the fixed spread does not train, no tensor leaks', async () => {
    const dir = tempDir();
    const before = tf.memory().numTensors;
    const result = await train(parseConfig(CONFIG), { out: join(dir, 'experiments') });
    expect(result.status).toBe('completed');
    expect(tf.memory().numTensors).toBe(before);
    const lines = readFileSync(join(result.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { train: { loss: number } });
    expect(lines).toHaveLength(3);
    expect(lines[2]!.train.loss).toBeLessThan(lines[0]!.train.loss);

    const vae = await loadVae(join(result.runDir, 'checkpoint'));
    expect(vae.family.name).toBe('noisy-ae');
    const [, logVar] = vae.encoder.predict(tf.zeros([1, 784])) as tf.Tensor[];
    expect(Array.from(logVar!.dataSync()).every((v) => Math.abs(v - 2 * Math.log(0.2)) < 1e-5)).toBe(true);
    tf.dispose(logVar);
    disposeVae(vae);

    // the end-of-run evaluation: the family's terms, and no IWAE estimate for a family without a likelihood
    const metrics = readEvalMetrics(result.runDir)!;
    expect(metrics.iwae).toBeNull();
    expect(Number.isFinite(metrics.test.recon) && Number.isFinite(metrics.test.kl)).toBe(true);
    expect(metrics.latent.dim).toBe(2);

    // the report: every default figure that applies drawn, the others listed with the capability they need
    const report = await buildReport(result.runDir, join(dir, 'reports'), { stages: 'default' });
    expect(report.stages.filter((s) => !s.ok)).toEqual([]);
    expect(report.stages.map((s) => s.type)).toEqual(expect.arrayContaining(['lossCurves', 'reconstructions', 'priorSamples', 'latentScatter', 'manifold']));
    expect(report.stages.map((s) => s.type)).not.toContain('latentStats');
    const page = readFileSync(report.indexPath, 'utf8');
    expect(page).toContain('noisy autoencoder');
    expect(page).toMatch(/latentStats<\/code>: needs a Gaussian posterior, which model\.family noisy-ae does not have/);
    expect(page).toMatch(/test IWAE NLL<\/th><td>none: model\.family noisy-ae has no likelihood/);
    expect(page).toContain('Code penalty |μ|²/2');
    // asked for by name, a figure the family cannot give is a config error with the same reason
    expect(() => resolveStages({ ...parseConfig(CONFIG), report: { stages: ['latentStats'] } })).toThrow(/report\.stages\[0\] \(latentStats\): does not apply to this run: needs a Gaussian posterior/);

    // beside a Gaussian VAE in a comparison: the sections one of them cannot give are listed, not drawn
    const gaussian = await train(parseConfig({ ...CONFIG, name: 'gaussian', model: { hidden: [32], latentDim: 2 } }), { out: join(dir, 'experiments') });
    const compared = await buildComparison([result.runDir, gaussian.runDir], join(dir, 'reports'), { experiments: join(dir, 'experiments') });
    const html = readFileSync(compared.indexPath, 'utf8');
    expect(html).toMatch(/They differ in <code>model\.family<\/code>, <code>model\.noise<\/code>\./);
    expect(html).toMatch(/Not drawn for these runs: Per-class contours \(family noisy-ae, noise 0\.2: needs a Gaussian posterior, which model\.family noisy-ae does not have\)/);
    expect(html).not.toContain('id="contours"');
    expect(compared.failed).toEqual([]);
  });

  it('builds in code like any family, and its objective disposes what it makes', () => {
    const spec = { ...parseConfig(CONFIG).model, imageSize: 784, height: 28, width: 28, numClasses: 10 };
    const vae = buildVae(spec, 1);
    const x = tf.zeros([4, 784]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const t = vae.family.objective(vae, x, null, { loss: { objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 1, freeBits: null }, epsSeed: 1, training: true });
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([t.loss, t.recon, t.kl, x]);
    disposeVae(vae);
  });
});
