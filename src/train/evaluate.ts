import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/batches.js';
import type { Split } from '../data/datasets.js';
import { decodeLogits, encode, reparameterize } from '../models/vae.js';
import type { Vae } from '../models/types.js';
import type { LossMeans } from '../run/run-dir.js';
import { batchTensors, disposeBatch, identityOrder } from './batch-tensors.js';
import { lossTerms } from './loss.js';

const EVAL_STREAM = 0x0e7a1; // the eps stream of evaluation, apart from training's

/**
 * Loss terms per image over a whole split in evaluation mode (BatchNorm running statistics), one z
 * sample per image from a fixed seed, so the numbers of different epochs differ only by the model.
 */
export async function evaluate(vae: Vae, split: Split, beta: number, batchSize: number, seed: number): Promise<LossMeans> {
  const order = identityOrder(split.count);
  let recon = 0;
  let kl = 0;
  for (let start = 0, b = 0; start < split.count; start += batchSize, b++) {
    const batch = batchTensors(split, order, start, Math.min(start + batchSize, split.count), vae.spec.numClasses, vae.spec.kind === 'cvae');
    const sums = tf.tidy(() => {
      const posterior = encode(vae, batch.x, batch.y, false);
      const eps = tf.randomNormal(posterior.mu.shape, 0, 1, 'float32', deriveSeed(seed, EVAL_STREAM + b));
      const logits = decodeLogits(vae, reparameterize(posterior, eps as tf.Tensor2D), batch.y, false);
      const terms = lossTerms(batch.x, logits, posterior.mu, posterior.logVar);
      return tf.stack([tf.sum(terms.recon), tf.sum(terms.kl)]);
    });
    const [r, k] = await sums.data();
    sums.dispose();
    disposeBatch(batch);
    recon += r!;
    kl += k!;
  }
  const n = split.count;
  return { recon: recon / n, kl: kl / n, negElbo: (recon + kl) / n, loss: (recon + beta * kl) / n };
}

/** Posterior means and log-variances of every image of a split, in order (for the latents file). */
export async function encodeSplit(vae: Vae, split: Split, batchSize: number): Promise<{ mu: Float32Array; logVar: Float32Array }> {
  const d = vae.spec.latentDim;
  const mu = new Float32Array(split.count * d);
  const logVar = new Float32Array(split.count * d);
  const order = identityOrder(split.count);
  for (let start = 0; start < split.count; start += batchSize) {
    const batch = batchTensors(split, order, start, Math.min(start + batchSize, split.count), vae.spec.numClasses, vae.spec.kind === 'cvae');
    const p = encode(vae, batch.x, batch.y, false);
    mu.set(await p.mu.data(), start * d);
    logVar.set(await p.logVar.data(), start * d);
    tf.dispose([p.mu, p.logVar]);
    disposeBatch(batch);
  }
  return { mu, logVar };
}
