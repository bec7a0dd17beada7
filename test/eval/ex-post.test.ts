import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { train } from '../../src/jobs/pipeline.js';
import { buildReport } from '../../src/report/render.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readGmm } from '../../src/run/gmm-file.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('ex-post GMM sampling (eval.sampler gmm)', () => {
  it('fits a mixture to the training means, scores its samples beside the prior\'s against the same references, and draws them in the report', async () => {
    const before = tf.memory().numTensors;
    const out = tempDir();
    const config = tinyConfig({ name: 'gmm', eval: { qualitySamples: 100, sampler: 'gmm', gmmComponents: 4 }, report: { stages: ['priorSamples'] } });
    const run = await train(config, { out });
    expect(run.status).toBe('completed');
    expect(tf.memory().numTensors).toBe(before);

    const gmm = readGmm(run.runDir)!;
    expect(gmm).toMatchObject({ components: 4, images: 256 });
    expect(gmm.mixture.d).toBe(2);
    expect(gmm.mixture.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 9);
    expect(Number.isFinite(gmm.logLikelihood)).toBe(true);

    const m = readEvalMetrics(run.runDir)!;
    const [prior, fromGmm] = [m.sampleQuality!, m.sampleQualityGmm!];
    expect(fromGmm.samples).toBe(prior.samples);
    // one set of references for both: the same test, training and reconstruction features
    expect(fromGmm.fd.trainingImages).toBe(prior.fd.trainingImages);
    expect(fromGmm.fd.reconstructions).toBe(prior.fd.reconstructions);
    expect(fromGmm.fd.samples).not.toBe(prior.fd.samples);
    expect(JSON.stringify(m)).not.toContain('covariances'); // the mixture lives in gmm.json, not metrics.json

    const report = await buildReport(run.runDir, join(out, 'reports'));
    const dir = join(report.indexPath, '..');
    expect(existsSync(join(dir, 'gmm-samples.png'))).toBe(true);
    const page = readFileSync(report.indexPath, 'utf8');
    expect(page).toContain('Samples from the prior and from the ex-post mixture');
    expect(page).toContain('ex-post GMM, 4 components');
    expect(page).toContain(`${fromGmm.fd.samples.toFixed(1)} from the mixture`);
  }, 120_000);

  it('is off by default: no gmm.json and no second score', async () => {
    const run = await train(tinyConfig({ name: 'no-gmm', eval: { qualitySamples: 50 } }), { out: tempDir() });
    expect(readGmm(run.runDir)).toBeNull();
    expect(readEvalMetrics(run.runDir)!.sampleQualityGmm).toBeNull();
  }, 120_000);
});
