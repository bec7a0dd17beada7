import * as tf from '@tensorflow/tfjs';
import { decode, reconstruct } from '../models/vae.js';
import type { Vae } from '../models/family.js';
import { activeBackend } from '../backend/active.js';
import { rowsPerPass } from '../models/pass-rows.js';

/**
 * The report's tensor boundary: typed arrays in, typed arrays out, every tensor disposed. Work goes in
 * chunks so a figure of any size stays within a small, fixed memory budget.
 */
const CHUNK = 512;

/** Row-major [count, numClasses] label rows for a cvae (one-hot or mixed), or null for a vae. */
export type LabelRows = Float32Array | null;

// Read back with data(), never dataSync(): the webgpu backend cannot read synchronously in Node.
async function chunked(vae: Vae, count: number, width: number, run: (start: number, end: number) => tf.Tensor2D): Promise<Float32Array> {
  const out = new Float32Array(count * width);
  const chunk = rowsPerPass(vae, CHUNK);
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    const t = run(start, end);
    out.set((await t.data()) as Float32Array, start * width);
    t.dispose();
  }
  activeBackend().assertHealthy('decoding a report figure');
  return out;
}

function rows(data: Float32Array, start: number, end: number, width: number): tf.Tensor2D {
  return tf.tensor2d(data.subarray(start * width, end * width), [end - start, width]);
}

function labelTensor(vae: Vae, y: LabelRows, start: number, end: number): tf.Tensor2D | null {
  if (vae.spec.kind !== 'cvae') return null;
  if (y === null) throw new Error('a cvae figure needs label rows');
  return rows(y, start, end, vae.spec.numClasses);
}

/** Pixel probabilities [count, imageSize] decoded from z [count, latentDim]. */
export function decodeZ(vae: Vae, z: Float32Array, count: number, y: LabelRows): Promise<Float32Array> {
  const { latentDim, imageSize } = vae.spec;
  return chunked(vae, count, imageSize, (s, e) => tf.tidy(() => decode(vae, rows(z, s, e, latentDim), labelTensor(vae, y, s, e))));
}

/** Decoded posterior means of the images [count, imageSize]. */
export function reconstructImages(vae: Vae, x: Float32Array, count: number, y: LabelRows): Promise<Float32Array> {
  const { imageSize } = vae.spec;
  return chunked(vae, count, imageSize, (s, e) => tf.tidy(() => reconstruct(vae, rows(x, s, e, imageSize), labelTensor(vae, y, s, e))));
}

/** One-hot rows of a single class, `count` times (a cvae decoding with its label fixed). */
export function repeatLabel(label: number, count: number, numClasses: number): Float32Array {
  const y = new Float32Array(count * numClasses);
  for (let i = 0; i < count; i++) y[i * numClasses + label] = 1;
  return y;
}
