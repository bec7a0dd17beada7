import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { createRng } from '../../src/data/batches.js';
import { loadDataset } from '../../src/data/datasets.js';
import { meanAndStdError } from '../../src/eval/elbo.js';
import { iwaeFromLogWeights, iwaeLogWeights, logMeanExp } from '../../src/eval/iwae.js';
import { bernoulliNllSamples } from '../../src/models/likelihood.js';
import { disposeVae } from '../../src/models/registry.js';
import { train } from '../../src/jobs/pipeline.js';
import { loadVae } from '../../src/run/checkpoint.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { bernoulliNll } from '../../src/models/likelihood.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const logNormal = (x: number, mean: number, variance: number) => -0.5 * (Math.log(2 * Math.PI * variance) + (x - mean) ** 2 / variance);

/**
 * A model whose log p(x) is exact: z ~ N(0, 1), x | z ~ N(a z + b, s^2), so x ~ N(b, a^2 + s^2), and the
 * true posterior is N(m, v) with v = 1 / (1 + a^2 / s^2), m = v a (x - b) / s^2. The proposal is that
 * posterior shifted by `shift` standard deviations and widened `widen` times in variance.
 */
function linearGaussian(images: number, samples: number, shift: number, widen: number, seed: number) {
  const [a, b, s2] = [2, 0.5, 0.25];
  const normal = (rng: () => number) => () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()); // Box-Muller
  const image = normal(createRng(seed)); // its own stream: the same seed gives the same images for every K
  const sample = normal(createRng(seed + 1));
  const logW = new Float64Array(images * samples);
  const logPx: number[] = [];
  let kl = 0; // KL(q || true posterior), averaged over images: the ELBO's exact gap
  const v = 1 / (1 + (a * a) / s2);
  for (let i = 0; i < images; i++) {
    const x = b + Math.sqrt(a * a + s2) * image();
    logPx.push(logNormal(x, b, a * a + s2));
    const m = (v * a * (x - b)) / s2;
    const qMean = m + shift * Math.sqrt(v);
    const qVar = widen * v;
    kl += 0.5 * (widen + shift * shift - 1 - Math.log(widen)) / images;
    for (let k = 0; k < samples; k++) {
      const z = qMean + Math.sqrt(qVar) * sample();
      logW[i * samples + k] = logNormal(x, a * z + b, s2) + logNormal(z, 0, 1) - logNormal(z, qMean, qVar);
    }
  }
  return { logW, exactNll: meanAndStdError(logPx.map((l) => -l)), kl };
}

describe('the IWAE estimator on a linear-Gaussian model with exact log p(x)', () => {
  it('is exact with any K when the proposal is the true posterior (every weight equals p(x))', () => {
    const { logW, exactNll } = linearGaussian(50, 3, 0, 1, 7);
    const est = iwaeFromLogWeights(logW, 50, 3);
    expect(est.nll).toBeCloseTo(exactNll.mean, 9);
    expect(est.negElbo).toBeCloseTo(exactNll.mean, 9);
    expect(est.stdError).toBeCloseTo(exactNll.stdError, 9);
  });

  it('approaches log p(x) as K grows, from above the ELBO, which sits KL(q || posterior) away', () => {
    const images = 100;
    const byK = [1, 10, 100, 5000].map((k) => ({ k, ...linearGaussian(images, k, 1, 2, 11) }));
    const exact = byK[0]!.exactNll.mean; // the same seed draws the same images for every K
    for (const r of byK) expect(r.exactNll.mean).toBe(exact);
    const nll = byK.map((r) => iwaeFromLogWeights(r.logW, images, r.k).nll);
    for (let i = 1; i < nll.length; i++) expect(nll[i]).toBeLessThan(nll[i - 1]!);
    expect(nll.at(-1)! - exact).toBeGreaterThan(-0.005); // an upper bound on -log p(x), up to sampling noise
    expect(nll.at(-1)! - exact).toBeLessThan(0.02);
    // the K-averaged one-sample bound estimates -ELBO = -log p(x) + KL(q || posterior) (0.5 + 0.5 - ln 2 / 2 here)
    const big = byK.at(-1)!;
    expect(iwaeFromLogWeights(big.logW, images, big.k).negElbo).toBeCloseTo(exact + big.kl, 1);
    expect(nll[0]! - exact).toBeGreaterThan(big.kl / 2);
  });

  it('log-mean-exp stays finite where exp overflows or underflows', () => {
    expect(logMeanExp([1000, 1000])).toBe(1000);
    expect(logMeanExp([-1000, -1000 + Math.log(3)])).toBeCloseTo(-1000 + Math.log(2), 12);
    expect(logMeanExp([5, -Infinity])).toBeCloseTo(5 - Math.log(2), 12);
    expect(logMeanExp(Float64Array.of(1, 2, 3, 4), 1, 2)).toBeCloseTo(Math.log((Math.exp(2) + Math.exp(3)) / 2), 12);
    expect(() => iwaeFromLogWeights([1, 2, 3], 2, 2)).toThrow(/2 x 2 log-weights, found 3/);
  });
});

describe('the IWAE estimate of a VAE', () => {
  it('computes the Bernoulli NLL of k decodings per image as bernoulliNll does, extreme logits included', () => {
    const before = tf.memory().numTensors;
    const logits = [[0, 2, -3], [200, -200, 0.5], [10, -10, 1], [-50, 60, 0]];
    const x = [[1, 0, 0.25], [0, 1, 0.9]]; // k = 2 decodings of each of 2 images
    const got = tf.tidy(() => bernoulliNllSamples(tf.tensor2d(logits), tf.tensor2d(x), 2).arraySync());
    const want = tf.tidy(() => bernoulliNll(tf.tensor2d(logits), tf.tensor2d([x[0]!, x[0]!, x[1]!, x[1]!])).arraySync());
    for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(want[i]!, 3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('on a tiny trained VAE: IWAE NLL <= -ELBO, independent of the batch size, no leaks, abortable', async () => {
    const result = await train(tinyConfig({ name: 'iwae', eval: { iwaeImages: 24, iwaeSamples: 100 } }), { out: tempDir() });
    const metrics = readEvalMetrics(result.runDir)!;
    expect(metrics.iwae).toMatchObject({ images: 24, samples: 100 });
    expect(metrics.iwae!.nll).toBeLessThan(metrics.iwae!.negElbo);
    expect(metrics.iwae!.nll).toBeLessThan(metrics.test.negElbo);
    expect(metrics.iwae!.stdError).toBeGreaterThan(0);

    const vae = await loadVae(join(result.runDir, 'checkpoint'));
    const data = await loadDataset(tinyConfig().data, { baseDir: '.' });
    const before = tf.memory().numTensors;
    const options = { images: 24, samples: 100, seed: 1 };
    const progress: [number, number][] = [];
    const wide = await iwaeLogWeights(vae, data.test, { ...options, batchSize: 1000, onProgress: (done, of) => progress.push([done, of]) });
    expect(progress).toEqual([[10, 24], [20, 24], [24, 24]]); // ten images of K = 100 per pass
    const narrow = await iwaeLogWeights(vae, data.test, { ...options, batchSize: 30 }); // 30 < K: samples split across passes
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < wide!.length; i += 97) expect(narrow![i]).toBeCloseTo(wide![i]!, 2);
    expect(iwaeFromLogWeights(wide!, 24, 100).nll).toBeCloseTo(metrics.iwae!.nll, 6);

    const controller = new AbortController();
    controller.abort();
    expect(await iwaeLogWeights(vae, data.test, { ...options, batchSize: 500, signal: controller.signal })).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    disposeVae(vae);
  });

  it('two stochastic layers: every density sampled, independent of the batch size, tighter with K, no leaks', async () => {
    const model = { intermediate: { latentDim: 6, hidden: [16] } };
    const result = await train(tinyConfig({ name: 'iwae-2l', model, eval: { iwaeImages: 12, iwaeSamples: 50 } }), { out: tempDir() });
    const metrics = readEvalMetrics(result.runDir)!;
    expect(metrics.iwae!.nll).toBeLessThan(metrics.iwae!.negElbo);
    const vae = await loadVae(join(result.runDir, 'checkpoint'));
    const data = await loadDataset(tinyConfig().data, { baseDir: '.' });
    const before = tf.memory().numTensors;
    const options = { images: 12, samples: 50, seed: 1 };
    const wide = await iwaeLogWeights(vae, data.test, { ...options, batchSize: 1000 });
    const narrow = await iwaeLogWeights(vae, data.test, { ...options, batchSize: 20 }); // 20 < K: samples split across passes
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < wide!.length; i += 37) expect(narrow![i]).toBeCloseTo(wide![i]!, 2);
    expect(iwaeFromLogWeights(wide!, 12, 50).nll).toBeCloseTo(metrics.iwae!.nll, 6);
    // K = 1 is the single-sample ELBO with the sampled KL of both layers: its bound and its mean log w agree
    const one = iwaeFromLogWeights((await iwaeLogWeights(vae, data.test, { ...options, samples: 1, batchSize: 100 }))!, 12, 1);
    expect(one.nll).toBeCloseTo(one.negElbo, 9);
    expect(one.nll).toBeGreaterThan(metrics.iwae!.nll);
    disposeVae(vae);
  });
});
