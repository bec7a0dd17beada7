import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { train } from '../../src/jobs/pipeline.js';
import { buildReport } from '../../src/report/render.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readLatents } from '../../src/run/latents.js';
import { readMetrics } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { checkReport, lazyBrowser } from './browser.js';

const SECTIONS = ['loss-curves', 'reconstructions', 'prior-samples', 'latent-scatter', 'tsne', 'contours', 'class-mean-grid', 'interpolations', 'traversals', 'latent-stats', 'explorer', 'exports'];

let tmp: string;
const browsers = lazyBrowser();
beforeAll(async () => {
  tmp = tempDir('vaelab-two-layer-');
  await selectBackend('wasm');
});
afterAll(async () => {
  await browsers.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('two stochastic layers, end to end', () => {
  it('trains with flat tensor memory, evaluates each layer, and reports z with every default figure, clean in Chromium', async () => {
    const config = tinyConfig({
      name: 'two-layer',
      data: { trainLimit: 300, testLimit: 150 },
      model: { hidden: [32], latentDim: 3, intermediate: { latentDim: 8, hidden: [16] }, activation: 'tanh' },
      loss: { objective: 'iwae', samples: 3 },
      train: { epochs: 3, batchSize: 30, learningRate: 0.003 },
      eval: { iwaeImages: 20, iwaeSamples: 50 },
    });
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const { runDir } = await train(config, { out: join(tmp, 'runs'), onProgress: (p) => p.type === 'epoch' && counts.push(p.numTensors) });
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);

    const metrics = readMetrics(runDir);
    expect(metrics.at(-1)!.test.negElbo).toBeLessThan(metrics[0]!.test.negElbo);
    for (const m of metrics) expect(m.train.loss).toBeLessThan(m.train.negElbo); // -L_3 below the ELBO of its samples
    for (const f of ['encoder', 'decoder', 'q-h1', 'q-z', 'p-h1', 'p-x']) expect(existsSync(join(runDir, 'checkpoint', f, 'model.json')), f).toBe(true);
    const evalMetrics = readEvalMetrics(runDir)!;
    expect(evalMetrics.iwae!.nll).toBeLessThanOrEqual(evalMetrics.iwae!.negElbo);
    expect(evalMetrics.latent.dim).toBe(3);
    expect(evalMetrics.latent.layers!.map((l) => [l.name, l.dim, l.muVariance.length, l.samples])).toEqual([['h1', 8, 8, 1], ['z', 3, 3, 16]]);
    for (const l of evalMetrics.latent.layers!) expect(l.activeUnits).toBe(l.muVariance.filter((v) => v > 0.01).length);
    // the page's z activity is the paper's (over draws of h1), not the plug-in at h1's mean
    expect(evalMetrics.latent.muVariance).toEqual(evalMetrics.latent.layers![1]!.muVariance);
    expect(evalMetrics.latent.activeUnits).toBe(evalMetrics.latent.layers![1]!.activeUnits);
    expect(readLatents(runDir).latentDim).toBe(3); // the figures' codes are z's

    const tensors = tf.memory().numTensors;
    const result = await buildReport(runDir, join(tmp, 'reports'), { stages: 'default' });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(result.stages.filter((s) => !s.ok)).toEqual([]);
    expect(result.stages.map((s) => s.id)).toEqual(SECTIONS);
    const html = readFileSync(result.indexPath, 'utf8');
    expect(html).toContain('h1 8 (hidden 16 to z), latentDim 3 (z, two stochastic layers)');
    expect(html).toMatch(/active units by layer<\/th><td>h1 \d of 8, z \d of 3/);
    expect(html).toContain('a reconstruction decodes h1&#39;s posterior mean (8 dimensions) with p(x | h1)');
    expect(html).toContain('z is decoded through the mean of p(h1 | z) (8 dimensions), then p(x | h1).');
    expect(html).toContain('the codes drawn are z&#39;s, each image&#39;s q(z | h1) taken at h1&#39;s posterior mean.');
    expect(html).toContain('averaged over draws of h1 (the paper&#39;s definition)');

    const browser = await browsers.get('the two-layer report');
    if (browser === null) return;
    const page = await checkReport(browser, result.indexPath, join('test-output/report', 'two-layer.png'));
    expect(page.consoleErrors).toEqual([]);
    expect(page.brokenImages).toEqual([]);
    expect(page.sections.map((s) => s.id)).toEqual(['summary', ...SECTIONS]);
    expect(page.sections.filter((s) => s.status === 'failed')).toEqual([]);
  });
});
