import type { DataConfig } from '../config/schema.js';
import { DataError } from '../errors.js';
import { createRng, deriveSeed } from './batches.js';
import type { Dataset, Split } from './datasets.js';

/**
 * Dynamic binarization, as in Burda et al.'s code (yburda/iwae, datasets.py, BinarizedDatasetTheano):
 * a pixel of intensity p is 1 when a uniform draw u satisfies u <= p, so its mean is p. Training batches
 * are drawn anew at every step from (run seed, epoch, step), so a resumed run sees the same bits; the test
 * set is drawn once from TEST_BINARIZE_SEED, so every run and every evaluation sees the same binary images.
 * (The paper's code draws the test bits per minibatch from a generator seeded 123 at each measurement.)
 */
export const TEST_BINARIZE_SEED = 123;

const BINARIZE_STREAM = 0xb1a7; // per-epoch stream of the training bits, apart from shuffling and eps

/** x[i] = u <= x[i] ? 1 : 0 in place, u uniform on [0, 1) from `seed`. */
export function binarizeInPlace(x: Float32Array, seed: number): void {
  const rng = createRng(seed);
  for (let i = 0; i < x.length; i++) x[i] = rng() <= x[i]! ? 1 : 0;
}

/** The seed of the bits of training step `step` of epoch `epoch` (both 0-based). */
export function batchBinarizeSeed(seed: number, epoch: number, step: number): number {
  return deriveSeed(deriveSeed(seed, BINARIZE_STREAM + epoch), step);
}

/**
 * The dataset a run trains on: the last data.heldOut training images left out, and with dynamic
 * binarization the test set binarized once (the training images stay intensities, binarized per batch).
 */
export function prepareDataset(dataset: Dataset, data: DataConfig): Dataset {
  let train = dataset.train;
  if (data.heldOut > 0) {
    if (data.heldOut >= train.count) {
      throw new DataError(`data.heldOut is ${data.heldOut} but there are only ${train.count} training images: expected fewer`);
    }
    const count = train.count - data.heldOut;
    const size = train.images.length / train.count;
    train = { images: train.images.subarray(0, count * size), labels: train.labels.subarray(0, count), count };
  }
  let test = dataset.test;
  if (data.binarize === 'dynamic') {
    const images = Float32Array.from(test.images);
    binarizeInPlace(images, TEST_BINARIZE_SEED);
    test = { ...test, images };
  }
  return train === dataset.train && test === dataset.test ? dataset : { ...dataset, train, test };
}

/**
 * The first `count` images of `split` as an evaluation sees them: with dynamic binarization sampled once
 * from TEST_BINARIZE_SEED, as the test set is (the paper's code measures its training-set bound with the
 * same seed), so every run and evaluation sees the same bits; otherwise the intensities themselves.
 */
export function evaluationImages(split: Split, count: number, binarize: DataConfig['binarize']): Split {
  const n = Math.min(count, split.count);
  const size = split.images.length / split.count;
  const images = split.images.subarray(0, n * size);
  const labels = split.labels.subarray(0, n);
  if (binarize === 'none') return { images, labels, count: n };
  const bits = Float32Array.from(images);
  binarizeInPlace(bits, TEST_BINARIZE_SEED);
  return { images: bits, labels, count: n };
}

/**
 * The logit of each pixel's mean over the training images, the mean clipped to [0.001, 0.999]: the
 * decoder's initial output bias in the IWAE paper's code (datasets.py, get_train_bias_np).
 */
export function meanLogits(split: Split): Float32Array {
  const size = split.images.length / split.count;
  const sums = new Float64Array(size);
  for (let i = 0; i < split.count; i++) for (let p = 0; p < size; p++) sums[p]! += split.images[i * size + p]!;
  return Float32Array.from(sums, (s) => {
    const m = Math.min(0.999, Math.max(0.001, s / split.count));
    return Math.log(m / (1 - m));
  });
}
