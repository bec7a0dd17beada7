import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { parseConfig } from '../../src/config/load.js';
import { train } from '../../src/jobs/pipeline.js';
import { tcLogDensities, tcTerms } from '../../src/models/families/beta-tcvae/estimators.js';
import { bernoulliNll } from '../../src/models/likelihood.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import { decodeLogits, encode, reparameterize } from '../../src/models/vae.js';
import { buildReport } from '../../src/report/render.js';
import { loadVae } from '../../src/run/checkpoint.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { configIssues } from '../helpers/config-issues.js';
import { ELBO_STEP, mnistSpec as specOf, tempDir, tinyConfig } from '../helpers/tiny.js';

/** β-TCVAE (model.family beta-tcvae): its config, its objective built from the estimators, and a run through the pipeline. */
const MODEL = { family: 'beta-tcvae', hidden: [32], latentDim: 3 };
const LOSS = ELBO_STEP;

describe('model.family beta-tcvae', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('parses with its defaults and refuses the ELBO options it replaces, naming the key', () => {
    expect(parseConfig({ model: { family: 'beta-tcvae' } }).model).toMatchObject({ family: 'beta-tcvae', arch: 'mlp', tc: { alpha: 1, beta: 6, gamma: 1, estimator: 'mws' } });
    expect(parseConfig({ model: { family: 'beta-tcvae', arch: 'conv' } }).model).toMatchObject({ arch: 'conv', tc: { beta: 6 } });
    expect(configIssues('model:\n  family: beta-tcvae\nloss:\n  beta: 4\n')).toEqual([expect.stringMatching(/^4 loss\.beta: model\.family beta-tcvae does not take loss\.beta 4: the total correlation's weight is model\.tc\.beta/)]);
    expect(configIssues('model:\n  family: beta-tcvae\nloss:\n  freeBits: 0.5\n')).toEqual([expect.stringMatching(/^4 loss\.freeBits: model\.family beta-tcvae does not take loss\.freeBits 0\.5/)]);
    expect(configIssues('model:\n  family: beta-tcvae\nloss:\n  objective: iwae\n')).toEqual([expect.stringMatching(/^4 loss\.objective: model\.family beta-tcvae does not take/)]);
    expect(configIssues('model:\n  family: beta-tcvae\n  tc:\n    estimator: exact\n')).toEqual([expect.stringMatching(/^4 model\.tc\.estimator: expected one of "mws" \| "mss", found "exact"$/)]);
    expect(configIssues('model:\n  tc:\n    beta: 2\n')).toEqual([expect.stringMatching(/model\.tc: "tc" is a key of model\.family beta-tcvae, not of gaussian/)]);
  });

  it('minimises recon + w·(α·MI + β·TC + γ·dimension-wise KL) with the training set size in the estimator, and needs that size', () => {
    const before = tf.memory().numTensors;
    const spec = specOf(parseConfig({ model: { ...MODEL, tc: { alpha: 0.5, beta: 4, gamma: 2, estimator: 'mss' } } }).model);
    const vae = buildVae(spec, 11);
    // tight posteriors far apart, so the aggregate posterior differs from each image's and N matters (at init all sit near N(0, I))
    for (const [name, scale, shift] of [['enc_mu', 20, 0], ['enc_logvar', 0, -4]] as const) {
      const layer = vae.encoder.getLayer(name);
      tf.tidy(() => {
        const [k, b] = layer.getWeights();
        layer.setWeights([tf.mul(k!, scale), tf.add(tf.mul(b!, 0), shift)]);
      });
    }
    const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([24, 784], 0, 1, 'float32', 5), 0.6), 'float32')) as tf.Tensor2D;
    const epsSeed = 77;
    const o = { loss: { ...LOSS, beta: 0.5 }, epsSeed, training: true, trainImages: 600 };
    const got = tf.tidy(() => {
      const t = vae.family.objective(vae, x, null, o);
      return [t.loss, t.recon].map((v) => v.dataSync()[0]!);
    });
    const [recon, mi, tc, dims] = tf.tidy(() => {
      const posterior = encode(vae, x, null, true);
      const z = reparameterize(posterior, tf.randomNormal(posterior.mu.shape, 0, 1, 'float32', epsSeed) as tf.Tensor2D);
      const r = tf.mean(bernoulliNll(decodeLogits(vae, z, null, true), x));
      const t = tcTerms(tcLogDensities(z, posterior.mu, posterior.logVar, 600, 'mss'));
      return [r, t.mutualInformation, t.totalCorrelation, t.dimensionwiseKl].map((v) => v.dataSync()[0]!);
    }) as [number, number, number, number];
    expect(mi).toBeGreaterThan(0.5);
    expect(got[1]).toBeCloseTo(recon, 4);
    expect(got[0]).toBeCloseTo(recon + 0.5 * (0.5 * mi + 4 * tc + 2 * dims), 3);
    // a different N changes the estimate: the size reaches the estimator
    const other = tf.tidy(() => vae.family.objective(vae, x, null, { ...o, trainImages: 60_000 }).loss.dataSync()[0]!);
    expect(Math.abs(other - got[0]!)).toBeGreaterThan(1e-3);
    expect(() => tf.tidy(() => vae.family.objective(vae, x, null, { loss: LOSS, epsSeed, training: true }))).toThrow(/needs the training set size/);
    // one image: no aggregate posterior to estimate, the VAE's closed-form KL stands in
    const [one, oneRecon, oneKl] = tf.tidy(() => {
      const t = vae.family.objective(vae, x.slice([0, 0], [1, 784]) as tf.Tensor2D, null, { ...o, loss: LOSS });
      return [t.loss, t.recon, t.kl].map((v) => v.dataSync()[0]!);
    }) as [number, number, number];
    expect(Number.isFinite(one)).toBe(true);
    expect(one).toBeCloseTo(oneRecon + oneKl, 3);
    x.dispose();
    disposeVae(vae);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains from a config through the pipeline: its own training loss, the IWAE estimate, a checkpoint that loads as beta-tcvae, no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const config = tinyConfig({ name: 'tc', model: { ...MODEL, tc: { beta: 6 } }, train: { epochs: 3 } });
    const dir = tempDir();
    const result = await train(config, { out: join(dir, 'experiments') });
    expect(result.status).toBe('completed');
    expect(tf.memory().numTensors).toBe(before);
    const lines = readFileSync(join(result.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { train: { loss: number; recon: number; kl: number } });
    expect(lines).toHaveLength(3);
    expect(lines[2]!.train.loss).toBeLessThan(lines[0]!.train.loss);
    // β 6 on the total correlation: the summed objective is not recon + kl
    for (const l of lines) expect(l.train.loss).not.toBeCloseTo(l.train.recon + l.train.kl, 2);
    const metrics = readEvalMetrics(result.runDir)!;
    expect(Number.isFinite(metrics.iwae!.nll)).toBe(true);
    // the report draws what was minimised, on the training set only, and the summary lists it without a test value
    const report = await buildReport(result.runDir, join(dir, 'reports'), { stages: ['lossCurves'] });
    const page = readFileSync(report.indexPath, 'utf8');
    expect(page).toContain('Objective minimised');
    expect(page).toMatch(/objective minimised \(training\)<\/td><td class="n">[0-9.]+<\/td><td class="n">—</);
    expect(page).toContain('training set only');
    const vae = await loadVae(join(result.runDir, 'checkpoint'));
    expect(vae.family.name).toBe('beta-tcvae');
    disposeVae(vae);
    expect(tf.memory().numTensors).toBe(before);
  });
});
