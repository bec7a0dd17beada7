import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/batches.js';
import type { Split } from '../data/datasets.js';
import type { Vae } from '../models/family.js';
import { splitBatches } from '../data/batch-tensors.js';
import { activeBackend } from '../backend/active.js';
import { rowsPerPass } from '../models/pass-rows.js';

const EVAL_STREAM = 0x0e7a1; // the eps stream of evaluation, apart from training's

/** Reconstruction and KL of every image, in nats (the ELBO is -(recon + kl)). */
export interface ElboTerms {
  recon: Float32Array;
  kl: Float32Array;
}

/**
 * The ELBO's terms per image over a split in evaluation mode (BatchNorm running statistics), one z sample
 * per image from a fixed seed, so the numbers of different epochs and runs differ only by the model. The
 * terms are the model family's (elboTerms): a Gaussian VAE's KL is the closed form, two stochastic
 * layers' is sampled from the same draw.
 */
export async function elboTerms(vae: Vae, split: Split, { batchSize, seed }: { batchSize: number; seed: number }): Promise<ElboTerms> {
  const recon = new Float32Array(split.count);
  const kl = new Float32Array(split.count);
  // a device that cannot hold a whole batch's activations runs it in passes, with the batch's own eps
  const rows = rowsPerPass(vae, batchSize);
  const width = vae.family.noiseWidth(vae.spec);
  let b = 0; // batch index: the eps seed of each batch
  for (const batch of splitBatches(split, split.count, batchSize, vae.spec)) {
    const eps = tf.randomNormal([batch.size, 1, width], 0, 1, 'float32', deriveSeed(seed, EVAL_STREAM + b++)) as tf.Tensor3D;
    for (let from = 0; from < batch.size; from += rows) {
      const n = Math.min(rows, batch.size - from);
      const terms = tf.tidy(() => {
        const whole = n === batch.size;
        const x = whole ? batch.x : batch.x.slice([from, 0], [n, -1]);
        const y = batch.y === null || whole ? batch.y : batch.y.slice([from, 0], [n, -1]);
        const e = whole ? eps : tf.slice(eps, from, n);
        const t = vae.family.elboTerms(vae, x, y, e);
        return tf.stack([t.recon, t.kl]);
      });
      const data = await terms.data();
      terms.dispose();
      recon.set(data.subarray(0, n), batch.start + from);
      kl.set(data.subarray(n), batch.start + from);
    }
    eps.dispose();
  }
  activeBackend().assertHealthy('the ELBO evaluation');
  return { recon, kl };
}

/** Mean and standard error of the mean of per-image values, summed in float64. */
export function meanAndStdError(values: ArrayLike<number>): { mean: number; stdError: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  return { mean, stdError: n > 1 ? Math.sqrt(sq / (n - 1) / n) : 0 };
}
