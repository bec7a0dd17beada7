import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/batches.js';
import type { Split } from '../data/datasets.js';
import { decodeLogits, encode, reparameterize } from '../models/vae.js';
import { noiseWidth, twoLayerTerms } from '../models/two-layer-terms.js';
import { twoLayerSpec, type Vae } from '../models/types.js';
import { splitBatches } from '../data/batch-tensors.js';
import { lossTerms } from '../models/likelihood.js';
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
 * KL term is the closed form; with two stochastic layers both layers' KL is sampled, with h1 and z drawn
 * once per image (twoLayerTerms).
 */
export async function elboTerms(vae: Vae, split: Split, { batchSize, seed }: { batchSize: number; seed: number }): Promise<ElboTerms> {
  const recon = new Float32Array(split.count);
  const kl = new Float32Array(split.count);
  // a device that cannot hold a whole batch's activations runs it in passes, with the batch's own eps
  const rows = rowsPerPass(vae, batchSize);
  const two = twoLayerSpec(vae.spec);
  let b = 0; // batch index: the eps seed of each batch
  for (const batch of splitBatches(split, split.count, batchSize, vae.spec)) {
    // two stochastic layers: one draw of h1 and z per image, [size, 1, d1 + d2] (twoLayerTerms)
    const shape = two === null ? [batch.size, vae.spec.latentDim] : [batch.size, 1, noiseWidth(two)];
    const eps = tf.randomNormal(shape, 0, 1, 'float32', deriveSeed(seed, EVAL_STREAM + b++));
    for (let from = 0; from < batch.size; from += rows) {
      const n = Math.min(rows, batch.size - from);
      const terms = tf.tidy(() => {
        const whole = n === batch.size;
        const x = whole ? batch.x : batch.x.slice([from, 0], [n, -1]);
        const y = batch.y === null || whole ? batch.y : batch.y.slice([from, 0], [n, -1]);
        const e = whole ? eps : tf.slice(eps, from, n);
        if (vae.intermediate !== null) {
          const t = twoLayerTerms(vae.intermediate, x, y, e as tf.Tensor3D, false);
          return tf.stack([tf.reshape(t.recon, [-1]), tf.reshape(t.kl, [-1])]);
        }
        const posterior = encode(vae, x, y, false);
        const logits = decodeLogits(vae, reparameterize(posterior, e as tf.Tensor2D), y, false);
        const t = lossTerms(x, logits, posterior.mu, posterior.logVar);
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
