import { describe, expect, it } from 'vitest';
import { binarizeInPlace, batchBinarizeSeed, evaluationImages, meanLogits, prepareDataset, TEST_BINARIZE_SEED } from '../../src/data/binarize.js';
import { trainingOrder } from '../../src/data/batches.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { DataError } from '../../src/errors.js';
import { syntheticDataset } from '../helpers/tiny.js';

const data = (over: Record<string, unknown>) => ConfigSchema.parse({ data: over }).data;

describe('dynamic binarization (uniform <= pixel)', () => {
  it('gives bits whose mean is the intensity; 0 stays 0 and 1 stays 1; the same bits for the same seed', () => {
    const x = new Float32Array(200000).fill(0.3);
    x[0] = 0;
    x[1] = 1;
    binarizeInPlace(x, 5);
    expect(new Set(x)).toEqual(new Set([0, 1]));
    expect([x[0], x[1]]).toEqual([0, 1]);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    expect(Math.abs(mean - 0.3)).toBeLessThan(0.005); // ~4.6 standard errors of 0.001
    const again = new Float32Array(200000).fill(0.3);
    again[0] = 0;
    again[1] = 1;
    binarizeInPlace(again, 5);
    expect(again).toEqual(x);
    const other = new Float32Array(200000).fill(0.3);
    binarizeInPlace(other, 6);
    expect(other).not.toEqual(x);
  });

  it('draws each training step from its own seed, a pure function of (seed, epoch, step)', () => {
    expect(batchBinarizeSeed(1, 2, 3)).toBe(batchBinarizeSeed(1, 2, 3));
    const seeds = new Set([batchBinarizeSeed(1, 0, 0), batchBinarizeSeed(1, 0, 1), batchBinarizeSeed(1, 1, 0), batchBinarizeSeed(2, 0, 0)]);
    expect(seeds.size).toBe(4);
  });
});

describe('the dataset a run trains on', () => {
  it('holds out the last images, binarizes the test set once from seed 123, and leaves today’s data alone by default', () => {
    const d = syntheticDataset(50, 20);
    expect(prepareDataset(d, data({}))).toBe(d);
    const p = prepareDataset(d, data({ heldOut: 10, binarize: 'dynamic' }));
    expect(p.train.count).toBe(40);
    expect(p.train.images).toEqual(d.train.images.subarray(0, 40 * 784));
    expect(Array.from(p.train.labels)).toEqual(Array.from(d.train.labels.subarray(0, 40)));
    expect(new Set(p.test.images)).toEqual(new Set([0, 1]));
    expect(prepareDataset(d, data({ binarize: 'dynamic' })).test.images).toEqual(p.test.images); // the same in every run
    const byHand = Float32Array.from(d.test.images);
    binarizeInPlace(byHand, TEST_BINARIZE_SEED);
    expect(p.test.images).toEqual(byHand);
    expect(d.test.images[0]).toBeCloseTo(0.05, 6); // the loaded data is not changed in place
    expect(() => prepareDataset(d, data({ heldOut: 50 }))).toThrow(DataError);
  });

  it('gives an evaluation the first N training images, binarized once from seed 123 when dynamic, intensities otherwise', () => {
    const d = syntheticDataset(50, 20);
    const plain = evaluationImages(d.train, 12, 'none');
    expect(plain.count).toBe(12);
    expect(plain.images).toEqual(d.train.images.subarray(0, 12 * 784));
    expect(Array.from(plain.labels)).toEqual(Array.from(d.train.labels.subarray(0, 12)));
    const bits = evaluationImages(d.train, 12, 'dynamic');
    const byHand = Float32Array.from(d.train.images.subarray(0, 12 * 784));
    binarizeInPlace(byHand, TEST_BINARIZE_SEED);
    expect(bits.images).toEqual(byHand);
    expect(evaluationImages(d.train, 12, 'dynamic').images).toEqual(bits.images); // the same bits in every run
    expect(d.train.images[0]).toBe(plain.images[0]); // the training images are not changed in place
    expect(evaluationImages(d.train, 500, 'none').count).toBe(50); // capped at the split
  });

  it('file order when data.shuffle is false', () => {
    expect(Array.from(trainingOrder(5, 1, 3, false))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(trainingOrder(50, 1, 3, true))).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('the decoder bias: the logit of the clipped training mean', () => {
    const split = { images: Float32Array.from([0, 1, 0.5, 0, 1, 0.25]), labels: new Uint8Array(2), count: 2 };
    const b = meanLogits(split); // pixel means 0, 1, 0.375
    expect(b[0]).toBeCloseTo(Math.log(0.001 / 0.999), 5);
    expect(b[1]).toBeCloseTo(Math.log(0.999 / 0.001), 5);
    expect(b[2]).toBeCloseTo(Math.log(0.375 / 0.625), 6);
  });
});
