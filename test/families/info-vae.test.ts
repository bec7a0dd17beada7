import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { parseConfig } from '../../src/config/load.js';
import { deriveSeed } from '../../src/data/batches.js';
import { train } from '../../src/jobs/pipeline.js';
import { familyOf } from '../../src/models/families/index.js';
import { PRIOR_STREAM } from '../../src/models/families/info-vae/index.js';
import { mmd } from '../../src/models/families/info-vae/mmd.js';
import { bernoulliNll, gaussianKl } from '../../src/models/likelihood.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import { decodeLogits, encode, reparameterize } from '../../src/models/vae.js';
import { loadVae } from '../../src/run/checkpoint.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { configIssues } from '../helpers/config-issues.js';
import { ELBO_STEP, mnistSpec as specOf, tempDir, tinyConfig } from '../helpers/tiny.js';

/** InfoVAE (model.family info-vae): its config, its objective term by term, and a run through the whole pipeline. */
const MODEL = { family: 'info-vae', hidden: [32], latentDim: 3 };
const LOSS = ELBO_STEP;

describe('model.family info-vae', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('parses with its defaults and refuses what its objective cannot honour, naming the key', () => {
    expect(parseConfig({ model: { family: 'info-vae' } }).model).toMatchObject({ family: 'info-vae', arch: 'mlp', mmd: { alpha: 0, lambda: 10, kernel: 'imq', scale: 1 } });
    expect(parseConfig({ model: { family: 'info-vae', arch: 'conv' } }).model).toMatchObject({ arch: 'conv', mmd: { alpha: 0 } });
    expect(configIssues('model:\n  family: info-vae\nloss:\n  freeBits: 0.5\n')).toEqual([expect.stringMatching(/^4 loss\.freeBits: model\.family info-vae does not take loss\.freeBits 0\.5/)]);
    expect(configIssues('model:\n  family: info-vae\nloss:\n  objective: iwae\n')).toEqual([expect.stringMatching(/^4 loss\.objective: model\.family info-vae does not take loss\.objective "iwae"/)]);
    expect(configIssues('model:\n  family: info-vae\nloss:\n  samples: 4\n')).toEqual([expect.stringMatching(/^4 loss\.samples: model\.family info-vae does not take loss\.samples 4/)]);
    expect(configIssues('model:\n  family: info-vae\n  mmd:\n    alpha: 0\n    lambda: 0.5\n')).toEqual([expect.stringMatching(/model\.mmd: α \+ λ − 1, the weight of the MMD term, must not be negative/)]);
    expect(configIssues('model:\n  family: info-vae\n  mmd:\n    kernel: gauss\n')).toEqual([expect.stringMatching(/^4 model\.mmd\.kernel: expected one of "imq" \| "rbf", found "gauss"$/)]);
    expect(configIssues('model:\n  mmd:\n    alpha: 1\n')).toEqual([expect.stringMatching(/model\.mmd: "mmd" is a key of model\.family info-vae, not of gaussian/)]);
  });

  it('minimises recon + (1 − α)·β·KL + (α + λ − 1)·MMD² of the codes against seeded prior draws; α 0, λ 1 is the VAE', () => {
    const before = tf.memory().numTensors;
    const config = parseConfig({ model: { ...MODEL, mmd: { alpha: 0.25, lambda: 3, kernel: 'rbf', scale: 2 } } });
    const spec = specOf(config.model);
    const vae = buildVae(spec, 7);
    const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([16, 784], 0, 1, 'float32', 3), 0.6), 'float32')) as tf.Tensor2D;
    const epsSeed = 1234;
    const o = { loss: { ...LOSS, beta: 0.5 }, epsSeed, training: true };
    const got = vae.family.objective(vae, x, null, o);
    const expected = tf.tidy(() => {
      const posterior = encode(vae, x, null, true);
      const z = reparameterize(posterior, tf.randomNormal(posterior.mu.shape, 0, 1, 'float32', epsSeed) as tf.Tensor2D);
      const recon = tf.mean(bernoulliNll(decodeLogits(vae, z, null, true), x));
      const kl = tf.mean(gaussianKl(posterior.mu, posterior.logVar));
      const prior = tf.randomNormal([16, 3], 0, 1, 'float32', deriveSeed(epsSeed, PRIOR_STREAM)) as tf.Tensor2D;
      const divergence = mmd(z, prior, 'rbf', 2);
      return [recon, kl, divergence].map((t) => t.dataSync()[0]!);
    });
    const [recon, kl, divergence] = expected as [number, number, number];
    expect(divergence).not.toBe(0);
    expect(got.recon.dataSync()[0]).toBeCloseTo(recon, 4);
    expect(got.kl.dataSync()[0]).toBeCloseTo(kl, 4);
    expect(got.loss.dataSync()[0]).toBeCloseTo(recon + (1 - 0.25) * 0.5 * kl + (0.25 + 3 - 1) * divergence, 3);
    tf.dispose([got.loss, got.recon, got.kl]);

    // α 0, λ 1: the MMD's weight is 0 and the objective is the Gaussian VAE's on the same noise
    const asVae = parseConfig({ model: { ...MODEL, mmd: { alpha: 0, lambda: 1 } } });
    const vaeSpec = specOf(asVae.model);
    // (the Gaussian objective leaves its intermediates to the caller's tidy, as the step's variableGrads is)
    const plain = tf.tidy(() => familyOf({ ...vaeSpec, family: 'gaussian' } as never).objective(vae, x, null, { ...o, loss: LOSS }).loss.dataSync()[0]!);
    const info = tf.tidy(() => familyOf(vaeSpec).objective({ ...vae, spec: vaeSpec }, x, null, { ...o, loss: LOSS }).loss.dataSync()[0]!);
    expect(info).toBeCloseTo(plain, 4);
    // one image: the MMD needs two codes, so a last batch of one trains on the other terms
    const [one, oneRecon, oneKl] = tf.tidy(() => {
      const t = vae.family.objective(vae, x.slice([0, 0], [1, 784]) as tf.Tensor2D, null, o);
      return [t.loss, t.recon, t.kl].map((v) => v.dataSync()[0]!);
    }) as [number, number, number];
    expect(one).toBeCloseTo(oneRecon + (1 - 0.25) * 0.5 * oneKl, 3);
    x.dispose();
    disposeVae(vae);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains from a config through the pipeline: its own training loss, the IWAE estimate, a checkpoint that loads as info-vae, no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const config = tinyConfig({ name: 'info', model: { ...MODEL, mmd: { alpha: 1, lambda: 50 } }, train: { epochs: 3 } });
    const result = await train(config, { out: tempDir() });
    expect(result.status).toBe('completed');
    expect(tf.memory().numTensors).toBe(before);
    const lines = readFileSync(join(result.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { train: { loss: number; recon: number; kl: number } });
    expect(lines).toHaveLength(3);
    expect(lines[2]!.train.loss).toBeLessThan(lines[0]!.train.loss);
    // α 1: no KL in the objective, so the summed loss is the reconstruction plus a non-negative-in-expectation MMD term, never recon + kl
    for (const l of lines) expect(l.train.loss).not.toBeCloseTo(l.train.recon + l.train.kl, 3);
    const metrics = readEvalMetrics(result.runDir)!;
    expect(metrics.iwae).not.toBeNull();
    expect(Number.isFinite(metrics.iwae!.nll)).toBe(true);
    const vae = await loadVae(join(result.runDir, 'checkpoint'));
    expect(vae.family.name).toBe('info-vae');
    disposeVae(vae);
    expect(tf.memory().numTensors).toBe(before);
  });
});
