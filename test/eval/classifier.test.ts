import * as tf from '@tensorflow/tfjs';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { selectBackend } from '../../src/backend/select.js';
import { loadDataset, type Dataset } from '../../src/data/datasets.js';
import { FEATURE_DIM, featureModel } from '../../src/eval/classifier/network.js';
import { loadClassifier, saveClassifier, weightsHash } from '../../src/eval/classifier/store.js';
import { ClassifierSpecSchema, classifierAccuracy, trainClassifier, type ClassifierSpec } from '../../src/eval/classifier/train.js';
import { tempDir } from '../helpers/tiny.js';

const SHIPPED = join(import.meta.dirname, '..', '..', 'classifiers', 'mnist');
const DATA = { dataset: 'mnist', dir: null, trainLimit: null, testLimit: null, heldOut: 0, shuffle: true, binarize: 'none' } as const;

let mnist: Dataset;
beforeAll(async () => {
  await selectBackend('wasm');
  mnist = await loadDataset(DATA, { baseDir: process.cwd() });
});

describe('the reference classifier of MNIST', () => {
  it('ships with weights its manifest names, and reaches at least 99.0% on the whole test set here too', async () => {
    const { model, manifest } = await loadClassifier(SHIPPED);
    // made from the shipped spec, which `npm run classifier` reads
    expect(manifest.spec).toEqual(ClassifierSpecSchema.parse(parse(readFileSync(`${SHIPPED}.yaml`, 'utf8'))));
    expect(manifest.testAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(manifest.testImages).toBe(10000);
    const accuracy = await classifierAccuracy(model, mnist.test);
    // trained on native; wasm's kernels round differently, never by a whole image in a thousand
    expect(Math.abs(accuracy - manifest.testAccuracy)).toBeLessThanOrEqual(0.001);
    expect(accuracy).toBeGreaterThanOrEqual(0.99);
    const features = featureModel(model);
    const f = features.predict(tf.zeros([3, 784])) as tf.Tensor;
    expect(f.shape).toEqual([3, FEATURE_DIM]);
    tf.dispose(f);
    model.dispose();
  });

  it('refuses weights that are not the ones its manifest names', async () => {
    const dir = tempDir();
    cpSync(SHIPPED, dir, { recursive: true });
    const bytes = readFileSync(join(dir, 'weights.bin'));
    bytes[100] = bytes[100]! ^ 1;
    writeFileSync(join(dir, 'weights.bin'), bytes);
    await expect(loadClassifier(dir)).rejects.toThrow(/weights\.bin has SHA-256 [0-9a-f]{64}, the manifest names [0-9a-f]{64}: the weights were changed/);
  });

  it('trains from a spec, seeded: the same spec gives the same weights, and it learns', async () => {
    const small: Dataset = { ...mnist, train: slice(mnist.train, 1500), test: slice(mnist.test, 500) };
    const spec: ClassifierSpec = { dataset: 'mnist', seed: 3, epochs: 2, batchSize: 100, learningRate: 0.002, decayAfter: 0 };
    const before = tf.memory().numTensors;
    const hashes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { model, accuracy } = (await trainClassifier(small, spec))!;
      expect(accuracy).toBeGreaterThan(0.6); // ten classes: chance is 0.1
      const dir = tempDir();
      await saveClassifier(dir, model, { dataset: 'mnist', testAccuracy: accuracy, testImages: 500, spec, command: 'test', backend: 'wasm' });
      hashes.push(weightsHash(dir));
      model.dispose();
    }
    expect(hashes[0]).toBe(hashes[1]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

function slice(split: Dataset['train'], n: number): Dataset['train'] {
  const size = split.images.length / split.count;
  return { images: split.images.subarray(0, n * size), labels: split.labels.subarray(0, n), count: n };
}
