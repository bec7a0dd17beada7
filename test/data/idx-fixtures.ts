import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Encodes an IDX file the way LeCun's distribution does: magic, big-endian uint32 dims, values. */
export function encodeIdx(dims: number[], data: ArrayLike<number>, typeCode = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Array.from(data))]);
}

/** Image n has every pixel equal to `n % 256`, so a batch's content identifies its examples. */
export function syntheticImages(count: number, height = 28, width = 28): Buffer {
  const pixels = Buffer.alloc(count * height * width);
  for (let n = 0; n < count; n++) pixels.fill(n % 256, n * height * width, (n + 1) * height * width);
  return encodeIdx([count, height, width], pixels);
}

export function syntheticLabels(labels: number[]): Buffer {
  return encodeIdx([labels.length], labels);
}

export interface IdxSetOptions {
  trainLabels?: number[];
  testLabels?: number[];
  gzip?: boolean; // write every file as <name>.gz, gzipped
  override?: Partial<Record<string, Buffer>>; // replaces the file of that base name
}

/** Writes the four standard IDX files into `dir`. */
export async function writeIdxSet(dir: string, opts: IdxSetOptions = {}): Promise<void> {
  const trainLabels = opts.trainLabels ?? [3, 1, 4, 1, 5, 9, 2, 6];
  const testLabels = opts.testLabels ?? [2, 7, 1];
  const files: Record<string, Buffer> = {
    'train-images-idx3-ubyte': syntheticImages(trainLabels.length),
    'train-labels-idx1-ubyte': syntheticLabels(trainLabels),
    't10k-images-idx3-ubyte': syntheticImages(testLabels.length),
    't10k-labels-idx1-ubyte': syntheticLabels(testLabels),
  };
  for (const [name, content] of Object.entries(files)) {
    const bytes = opts.override?.[name] ?? content;
    await writeFile(join(dir, opts.gzip ? `${name}.gz` : name), opts.gzip ? gzipSync(bytes) : bytes);
  }
}

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vaelab-data-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
