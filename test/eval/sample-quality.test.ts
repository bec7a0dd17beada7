import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { createRng } from '../../src/data/batches.js';
import { loadDataset, type Dataset } from '../../src/data/datasets.js';
import { FEATURE_DIM } from '../../src/eval/classifier/network.js';
import { loadClassifier } from '../../src/eval/classifier/store.js';
import { classifierView } from '../../src/eval/classifier/view.js';
import { latentKnowledge } from '../../src/eval/latent-knowledge.js';
import { featureStats, frechetDistance } from '../../src/eval/quality/frechet.js';
import { sampleQuality } from '../../src/eval/sample-quality.js';
import { train } from '../../src/jobs/pipeline.js';
import { disposeVae } from '../../src/models/registry.js';
import { loadVae } from '../../src/run/checkpoint.js';
import { encodeSplit } from '../../src/train/evaluate.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

const SHIPPED = join(import.meta.dirname, '..', '..', 'classifiers', 'mnist');
let mnist: Dataset;
let classifier: tf.LayersModel;
let hash: string;

beforeAll(async () => {
  await selectBackend('wasm');
  mnist = await loadDataset({ dataset: 'mnist', dir: null, trainLimit: null, testLimit: null, heldOut: 0, shuffle: true, binarize: 'none' }, { baseDir: process.cwd() });
  const loaded = await loadClassifier(SHIPPED);
  classifier = loaded.model;
  hash = loaded.manifest.sha256;
});

const P = 784;
const rows = (images: Float32Array, from: number, n: number) => images.slice(from * P, (from + n) * P);

/** FD of a transformed copy of 1,000 test images against 1,000 others, on the classifier's features. */
async function fdOf(transform: (x: Float32Array) => Float32Array): Promise<number> {
  const ref = await classifierView(classifier, rows(mnist.test.images, 0, 1000), 1000);
  const other = await classifierView(classifier, transform(rows(mnist.test.images, 1000, 1000)), 1000);
  return frechetDistance(featureStats(other.features, 1000, FEATURE_DIM), featureStats(ref.features, 1000, FEATURE_DIM), FEATURE_DIM).distance;
}

function noised(sigma: number) {
  return (x: Float32Array) => {
    const rng = createRng(7);
    return x.map((v) => {
      const g = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
      return Math.min(1, Math.max(0, v + sigma * g));
    });
  };
}

function blurred(times: number) {
  return (x: Float32Array) => {
    let out = x;
    for (let t = 0; t < times; t++) {
      const src = out;
      out = new Float32Array(src.length);
      for (let img = 0; img < src.length / P; img++) {
        for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
          let s = 0;
          let k = 0;
          for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
            const rr = r + dr, cc = c + dc;
            if (rr >= 0 && rr < 28 && cc >= 0 && cc < 28) (s += src[img * P + rr * 28 + cc]!), k++;
          }
          out[img * P + r * 28 + c] = s / k;
        }
      }
    }
    return out;
  };
}

describe('sample quality on the reference classifier', () => {
  it('the Fréchet distance grows as test images are noised or blurred more', async () => {
    const noise = [];
    for (const sigma of [0, 0.15, 0.3, 0.6]) noise.push(await fdOf(noised(sigma)));
    const blur = [];
    for (const times of [0, 1, 2, 4]) blur.push(await fdOf(blurred(times)));
    for (const series of [noise, blur]) for (let i = 1; i < series.length; i++) expect(series[i]!).toBeGreaterThan(series[i - 1]!);
    expect(noise[0]).toBeLessThan(noise[3]! / 10);
  });

  it.each(['vae', 'cvae'] as const)('measures a briefly trained %s: its samples against the training images\' floor, and what its codes know', async (kind) => {
    const dir = tempDir();
    const result = await train(tinyConfig({ name: kind, model: { kind, hidden: [64], latentDim: 2 }, data: { trainLimit: 3000, testLimit: 1000 }, train: { epochs: 2 } }), { out: dir });
    const vae = await loadVae(join(result.runDir, 'checkpoint'));
    const before = tf.memory().numTensors;
    const q = await sampleQuality(vae, mnist, classifier, { samples: 600, seed: 1, batchSize: 250, classifierHash: hash });
    expect(tf.memory().numTensors).toBe(before);
    expect(q.classifier).toBe(hash);
    expect(q.fd.trainingImages).toBeLessThan(q.fd.reconstructions);
    expect(q.fd.trainingImages).toBeLessThan(q.fd.samples);
    for (const v of [q.precision, q.recall, q.confidence]) expect(v >= 0 && v <= 1).toBe(true);
    expect(q.classShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    if (kind === 'cvae') expect(q.labelAccuracy).toHaveLength(10);
    else expect(q.labelAccuracy).toBeNull();

    const trainMeans = await encodeSplit(vae, { ...mnist.train, count: 3000, images: mnist.train.images.subarray(0, 3000 * P), labels: mnist.train.labels.subarray(0, 3000) }, 500);
    const testMeans = await encodeSplit(vae, { ...mnist.test, count: 1000, images: mnist.test.images.subarray(0, 1000 * P), labels: mnist.test.labels.subarray(0, 1000) }, 500);
    const known = latentKnowledge({ x: trainMeans.mu, labels: mnist.train.labels.subarray(0, 3000), n: 3000 }, { x: testMeans.mu, labels: mnist.test.labels.subarray(0, 1000), n: 1000 }, 2, 10, 1);
    // ten classes: chance is 0.1; even this briefly trained two-dimensional code holds some of the digits' identity
    if (kind === 'vae') expect(known.knn).toBeGreaterThan(0.15);
    for (const v of [known.linearProbe, known.knn, known.kmeans.accuracy, known.kmeans.nmi]) expect(v >= 0 && v <= 1).toBe(true);
    disposeVae(vae);
  });
});
