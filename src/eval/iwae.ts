import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/batches.js';
import type { Split } from '../data/datasets.js';
import type { Vae } from '../models/family.js';
import type { IwaeMetrics } from '../run/eval-metrics.js';
import { splitBatches } from '../data/batch-tensors.js';
import { rowsPerPass } from '../models/pass-rows.js';
import { activeBackend } from '../backend/active.js';
import { meanAndStdError } from './elbo.js';

/**
 * The importance-weighted bound (Burda et al., IWAE) on log p(x):
 *   L_K(x) = log (1/K) sum_k w_k,  w_k = p(x | z_k) p(z_k) / q(z_k | x),  z_k ~ q(z | x),
 * with L_1 <= L_K <= log p(x) and L_K -> log p(x) as K grows. For a cvae every density is conditioned on
 * the label, so the estimate is of log p(x | y).
 */

const IWAE_STREAM = 0x1a3e0; // eps stream of the estimate, one per image

export type IwaeEstimate = Omit<IwaeMetrics, 'seconds'>;

/** log((1/count) sum exp(w[start..start+count))) in float64, shifted by the maximum so nothing overflows. */
export function logMeanExp(w: ArrayLike<number>, start = 0, count = w.length - start): number {
  let max = -Infinity;
  for (let i = start; i < start + count; i++) max = Math.max(max, w[i]!);
  if (!Number.isFinite(max)) return max; // all -Infinity (or a NaN/+Infinity weight that must show)
  let sum = 0;
  for (let i = start; i < start + count; i++) sum += Math.exp(w[i]! - max);
  return max + Math.log(sum / count);
}

/** The estimate from log-weights [images, samples], row-major: a pure function, testable on any model. */
export function iwaeFromLogWeights(logW: ArrayLike<number>, images: number, samples: number): IwaeEstimate {
  if (logW.length !== images * samples) throw new RangeError(`expected ${images} x ${samples} log-weights, found ${logW.length}`);
  const bound = new Float64Array(images);
  let sumLogW = 0;
  for (let i = 0; i < images; i++) {
    bound[i] = -logMeanExp(logW, i * samples, samples);
    for (let k = 0; k < samples; k++) sumLogW += logW[i * samples + k]!;
  }
  const { mean, stdError } = meanAndStdError(bound);
  return { nll: mean, stdError, negElbo: -sumLogW / (images * samples), images, samples };
}

export interface IwaeOptions {
  images: number; // the first N images of the split
  samples: number; // K
  batchSize: number; // images x samples per forward pass
  seed: number;
  signal?: AbortSignal; // checked between passes: an aborted estimate returns null
  onProgress?: (imagesDone: number, images: number) => void; // after each batch of images
}

/**
 * log w for K samples of each of the first N images, [N, K] row-major in float64, or null when aborted.
 * Each image's samples come from its own seed, so the numbers do not depend on batchSize.
 */
export async function iwaeLogWeights(vae: Vae, split: Split, o: IwaeOptions): Promise<Float64Array | null> {
  const n = Math.min(o.images, split.count);
  const k = o.samples;
  const logWeightsOf = vae.family.logWeights;
  if (logWeightsOf === null) throw new Error(`the ${vae.family.name} family has no likelihood: the IWAE estimate does not apply`);
  const d = vae.family.noiseWidth(vae.spec);
  const rows = rowsPerPass(vae, o.batchSize); // what the device can hold, on webgpu
  const perPass = Math.max(1, Math.floor(rows / k)); // images per pass
  const kChunk = Math.min(k, rows); // samples per pass when one image's K exceed the batch
  const out = new Float64Array(n * k);
  for (const batch of splitBatches(split, n, perPass, vae.spec)) {
    const { start, size: m } = batch;
    const logWeights = logWeightsOf(vae, batch);
    const eps = tf.tidy(() => tf.stack(Array.from({ length: m }, (_, i) => tf.randomNormal([k, d], 0, 1, 'float32', deriveSeed(o.seed, IWAE_STREAM + start + i)))));
    for (let k0 = 0; k0 < k; k0 += kChunk) {
      const kc = Math.min(kChunk, k - k0);
      const logW = tf.tidy(() => logWeights.of(tf.slice(eps, [0, k0, 0], [m, kc, d]) as tf.Tensor3D));
      const values = await logW.data();
      logW.dispose();
      for (let i = 0; i < m; i++) out.set(values.subarray(i * kc, (i + 1) * kc), (start + i) * k + k0);
      // wasm's data() resolves without a turn of the event loop: yield one so an abort can arrive
      await new Promise((resolve) => setImmediate(resolve));
      if (o.signal?.aborted) break;
    }
    tf.dispose(eps);
    logWeights.dispose();
    if (o.signal?.aborted) return null; // leaving the loop disposes the batch
    o.onProgress?.(start + m, n);
  }
  activeBackend().assertHealthy('the IWAE estimate');
  return out;
}
