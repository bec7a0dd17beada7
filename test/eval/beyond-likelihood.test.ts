import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { readManifest } from '../../src/eval/classifier/store.js';
import { train } from '../../src/jobs/pipeline.js';
import { buildReport } from '../../src/report/render.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { pointMetrics, type SweepFile } from '../../src/run/sweep-file.js';
import { formatSweepTable } from '../../src/sweep/table.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

const SHIPPED = join(import.meta.dirname, '..', '..', 'classifiers', 'mnist');
const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('sample quality and latent probes at the end of a run', () => {
  it('lands in metrics.json, the report summary and the sweep table, and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const out = tempDir();
    const run = await train(tinyConfig({ name: 'beyond', eval: { qualitySamples: 200 } }), { out });
    expect(run.status).toBe('completed');
    expect(tf.memory().numTensors).toBe(before);
    const m = readEvalMetrics(run.runDir)!;
    const q = m.sampleQuality!;
    // as many samples as the 128 test images, not the 200 asked
    expect(q).toMatchObject({ classifier: readManifest(SHIPPED).sha256, samples: 128, testImages: 128, k: 3, seed: 1, labelAccuracy: null });
    // a two-epoch model on 256 images draws far worse digits than the training images are
    expect(q.fd.samples).toBeGreaterThan(2 * q.fd.trainingImages);
    expect(q.fd.reconstructions).toBeGreaterThan(q.fd.trainingImages);
    for (const v of [q.precision, q.recall, q.confidence]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    expect(q.classShares).toHaveLength(10);
    expect(sum(q.classShares)).toBeCloseTo(1, 9);
    expect(sum(q.testShares)).toBeCloseTo(1, 9);
    const k = m.latentKnowledge!;
    expect(k).toMatchObject({ knnK: 5, trainImages: 256, testImages: 128, seed: 1 });
    // two latent dimensions after two epochs know something of the digit: above chance, below perfect
    for (const v of [k.linearProbe, k.knn, k.kmeans.accuracy]) expect(v).toBeGreaterThan(0.15), expect(v).toBeLessThan(1);

    const point = pointMetrics(m);
    expect(point).toMatchObject({ fd: q.fd.samples, precision: q.precision, recall: q.recall, linearProbe: k.linearProbe, knn: k.knn });
    const sweep: SweepFile = { formatVersion: 1, name: 's', id: 'i', status: 'completed', keys: [], jobs: 1, createdAt: '', updatedAt: '', points: [{ name: 'p', values: {}, runDir: 'p', status: 'completed', action: 'new', error: null, seconds: 1, metrics: point }] };
    const table = formatSweepTable(sweep);
    expect(table).toMatch(/FD\s+precision\s+recall\s+probe\s+k-NN/);
    expect(table).toContain(q.fd.samples.toFixed(1));

    const report = await buildReport(run.runDir, join(out, 'reports'));
    const page = readFileSync(report.indexPath, 'utf8');
    expect(page).toContain('FD (MNIST classifier), prior samples');
    expect(page).toContain(`${(100 * k.linearProbe).toFixed(1)}%`);
  }, 120_000);

  it('scores a CVAE\'s samples per label; switched off, the numbers are null and the page says why', async () => {
    const cvae = await train(tinyConfig({ name: 'beyond-cvae', model: { kind: 'cvae' }, eval: { qualitySamples: 100 } }), { out: tempDir() });
    const q = readEvalMetrics(cvae.runDir)!.sampleQuality!;
    expect(q.labelAccuracy).toHaveLength(10);
    for (const a of q.labelAccuracy!) expect(a).toBeGreaterThanOrEqual(0), expect(a).toBeLessThanOrEqual(1);

    const out = tempDir();
    const off = await train(tinyConfig({ name: 'beyond-off', eval: { qualitySamples: 0, latentProbes: false } }), { out });
    const m = readEvalMetrics(off.runDir)!;
    expect(m.sampleQuality).toBeNull();
    expect(m.latentKnowledge).toBeNull();
    const report = await buildReport(off.runDir, join(out, 'reports'));
    const page = readFileSync(report.indexPath, 'utf8');
    expect(page).toContain('Sample quality: not measured, eval.qualitySamples is 0');
    expect(page).toContain('Latent probes: not measured, eval.latentProbes is false');
  }, 120_000);
});
