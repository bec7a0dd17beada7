import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/batches.js';
import type { Split } from '../data/datasets.js';
import { decodeLogits, encode, reparameterize } from '../models/vae.js';
import type { Vae } from '../models/types.js';
import { splitBatches } from '../data/batch-tensors.js';
import { lossTerms } from '../models/likelihood.js';

const EVAL_STREAM = 0x0e7a1; // the eps stream of evaluation, apart from training's

/** Reconstruction and KL of every image, in nats (the ELBO is -(recon + kl)). */
export interface ElboTerms {
  recon: Float32Array;
  kl: Float32Array;
}

/**
 * The ELBO's terms per image over a split in evaluation mode (BatchNorm running statistics), one z sample
 * per image from a fixed seed, so the numbers of different epochs and runs differ only by the model. The
 * KL term is the closed form.
 */
export async function elboTerms(vae: Vae, split: Split, { batchSize, seed }: { batchSize: number; seed: number }): Promise<ElboTerms> {
  const recon = new Float32Array(split.count);
  const kl = new Float32Array(split.count);
  let b = 0; // batch index: the eps seed of each batch
  for (const batch of splitBatches(split, split.count, batchSize, vae.spec)) {
    const { start } = batch;
    const terms = tf.tidy(() => {
      const posterior = encode(vae, batch.x, batch.y, false);
      const eps = tf.randomNormal(posterior.mu.shape, 0, 1, 'float32', deriveSeed(seed, EVAL_STREAM + b++));
      const logits = decodeLogits(vae, reparameterize(posterior, eps as tf.Tensor2D), batch.y, false);
      const t = lossTerms(batch.x, logits, posterior.mu, posterior.logVar);
      return tf.stack([t.recon, t.kl]);
    });
    const data = await terms.data();
    terms.dispose();
    recon.set(data.subarray(0, batch.size), start);
    kl.set(data.subarray(batch.size), start);
  }
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
