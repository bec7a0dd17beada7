import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { evaluationImages, prepareDataset } from '../../src/data/binarize.js';
import { loadDataset } from '../../src/data/datasets.js';
import { iwaeFromLogWeights, iwaeLogWeights } from '../../src/eval/iwae.js';
import { disposeVae } from '../../src/models/registry.js';
import { loadVae } from '../../src/run/checkpoint.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readMetrics, readRunInfo } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('metrics.json at the end of every run', () => {
  it('has defaults in the schema: K 1000 on the first 1000 test images, threshold 0.01, weight 1', () => {
    const c = ConfigSchema.parse({});
    expect(c.eval).toEqual({ iwaeSamples: null, iwaeImages: 1000, iwaeTrainImages: 0, iwaeBatchSize: null, activeThreshold: 0.01, qualitySamples: 10000, latentProbes: true, sampler: 'prior', gmmComponents: 10 });
    expect(c.loss).toEqual({ objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 1, warmup: null, freeBits: null });
    expect(c.sweep).toBeNull();
  });

  it('agrees with the last epoch and the latents; an abort during it leaves a run that resume finishes', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const config = tinyConfig({ name: 'final', model: { latentDim: 3 }, loss: { beta: 2 } });
    // the last epoch's event comes after its checkpoint, just before the final evaluation
    const cut = await train(config, {
      out: tempDir(),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.type === 'epoch' && p.metrics.epoch === 2) controller.abort();
      },
    });
    expect(cut.status).toBe('interrupted');
    expect(readEvalMetrics(cut.runDir)).toBeNull();
    expect(readRunInfo(cut.runDir)).toMatchObject({ status: 'interrupted', epochsCompleted: 2 });

    const done = await resume(cut.runDir);
    expect(done.status).toBe('completed');
    expect(readMetrics(done.runDir)).toHaveLength(2); // no epoch was trained again
    const m = readEvalMetrics(done.runDir)!;
    expect(existsSync(join(done.runDir, 'metrics.json'))).toBe(true);
    const last = readMetrics(done.runDir).at(-1)!.test;
    expect(m.test.negElbo).toBeCloseTo(last.negElbo, 4); // same seeded samples: the beta = 1 bound, not the beta = 2 loss
    expect(m.test.negElbo).toBeCloseTo(m.test.recon + m.test.kl, 4);
    expect(m.test.images).toBe(128);
    expect(m.test.negElboStdError).toBeGreaterThan(0);
    expect(m.latent.dim).toBe(3);
    expect(m.latent.klPerDim.reduce((a, b) => a + b, 0)).toBeCloseTo(m.test.kl, 3);
    expect(m.latent.activeUnits).toBe(m.latent.muVariance.filter((v) => v > 0.01).length);
    expect(m.iwae).toMatchObject({ images: 16, samples: 32 });
    expect(m.training).toMatchObject({ backend: 'wasm', epochs: 2 });
    expect(m.training.samplesPerSecond).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('skips the IWAE estimate when eval.iwaeImages is 0, and the training-set one by default', async () => {
    const result = await train(tinyConfig({ name: 'noiwae', train: { epochs: 1 }, eval: { iwaeImages: 0 } }), { out: tempDir() });
    const m = readEvalMetrics(result.runDir)!;
    expect(m.iwae).toBeNull();
    expect(m.iwaeTrain).toBeNull();
  });

  it('estimates the NLL on the first N training images when eval.iwaeTrainImages asks, as the test estimate would on them', async () => {
    const config = tinyConfig({ name: 'trainiwae', train: { epochs: 1 }, data: { binarize: 'dynamic', heldOut: 8 }, eval: { iwaeImages: 16, iwaeSamples: 32, iwaeTrainImages: 24 } });
    const result = await train(config, { out: tempDir() });
    const m = readEvalMetrics(result.runDir)!;
    expect(m.iwaeTrain).toMatchObject({ images: 24, samples: 32 });
    expect(m.iwaeTrain!.nll).toBeLessThanOrEqual(m.iwaeTrain!.negElbo + 1e-9); // the bound is no looser than the ELBO on the same samples
    expect(m.iwaeTrain!.stdError).toBeGreaterThan(0);
    // the same estimate, by hand, on the same binarized training images
    const vae = await loadVae(join(result.runDir, 'checkpoint'));
    const dataset = prepareDataset(await loadDataset(config.data, { baseDir: process.cwd() }), config.data);
    const images = evaluationImages(dataset.train, 24, 'dynamic');
    const logW = (await iwaeLogWeights(vae, images, { images: 24, samples: 32, batchSize: 10000, seed: config.seed }))!;
    expect(iwaeFromLogWeights(logW, 24, 32).nll).toBeCloseTo(m.iwaeTrain!.nll, 4);
    disposeVae(vae);
  });
});
