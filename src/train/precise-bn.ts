import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/datasets.js';
import type { Vae } from '../models/family.js';
import { encode, modelInputs } from '../models/vae.js';
import { rowsPerPass } from '../models/pass-rows.js';
import { batchAt, disposeBatch } from '../data/batch-tensors.js';

/**
 * PreciseBN: before each evaluation, BatchNorm's running statistics are recomputed as the population
 * mean and variance of each channel's input over a fixed sample of training images, instead of the
 * exponential average of the last few batches. Our BatchNorms follow a ReLU, so some channels fire only
 * for rare images; the running average mostly remembers batches where they were silent, its variance is
 * far too small, and a test image that fires the unit is amplified up to 1/sqrt(eps) = 316 times: one
 * such image drove a conv CVAE's encoder to logVar 24 and the mean test KL to 1.6 million nats/image.
 * Channels whose input is exactly zero on the whole sample (ReLUs that died in training, which output
 * beta in training) get mean 0 and variance 1, so evaluation computes what training did.
 * Trained weights, and training itself (which uses batch statistics), are untouched.
 */
const SAMPLE = 2048; // training images the statistics come from (the first ones: the same every epoch)
const CHUNK = 256; // images per forward pass: conv activations of 256 images are ~50 MB

type Inputs = tf.Tensor | tf.Tensor[];

interface ChannelStats {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  maxAbs: tf.Tensor1D;
}

/** Population mean, variance and largest |input| of each channel of one BatchNorm over the batches. */
function channelStats(model: tf.LayersModel, norm: tf.layers.Layer, batches: (() => Inputs)[]): ChannelStats {
  // A probe over the same layers (no new weights), returning what the BatchNorm receives.
  const probe = tf.model({ inputs: model.inputs, outputs: norm.input as tf.SymbolicTensor });
  let acc: tf.Tensor1D[] | null = null; // sum, sum of squares, max |x|
  let count = 0;
  for (const inputs of batches) {
    const next: tf.Tensor1D[] = tf.tidy(() => {
      const a = probe.predict(inputs()) as tf.Tensor;
      const axes = [...Array(a.rank - 1).keys()];
      const parts = [tf.sum(a, axes), tf.sum(tf.square(a), axes), tf.max(tf.abs(a), axes)] as tf.Tensor1D[];
      count += a.size / a.shape[a.rank - 1]!;
      return acc === null ? parts : [tf.add(parts[0]!, acc[0]!), tf.add(parts[1]!, acc[1]!), tf.maximum(parts[2]!, acc[2]!)] as tf.Tensor1D[];
    });
    if (acc !== null) tf.dispose(acc);
    acc = next;
  }
  const [sum, sumSq, maxAbs] = acc!;
  const stats = tf.tidy(() => {
    const mean = tf.div(sum!, count) as tf.Tensor1D;
    return { mean, variance: tf.relu(tf.sub(tf.div(sumSq!, count), tf.square(mean))) as tf.Tensor1D, maxAbs: maxAbs!.clone() };
  });
  tf.dispose(acc!);
  return stats;
}

/**
 * Front to back, one layer at a time: new statistics change what a layer passes on, so each layer is
 * probed with the layers before it already recalibrated. Returns the number of dead channels.
 */
async function recalibrateModel(model: tf.LayersModel, norms: tf.layers.Layer[], batches: (() => Inputs)[]): Promise<number> {
  let dead = 0;
  for (const norm of norms) {
    const stats = channelStats(model, norm, batches);
    const deadCount = tf.tidy(() => tf.sum(tf.cast(tf.equal(stats.maxAbs, 0), 'int32')));
    dead += (await deadCount.data())[0]!;
    deadCount.dispose();
    tf.tidy(() => {
      const isDead = tf.equal(stats.maxAbs, 0);
      const [gamma, beta] = norm.getWeights();
      norm.setWeights([gamma!, beta!, tf.where(isDead, tf.zerosLike(stats.mean), stats.mean), tf.where(isDead, tf.onesLike(stats.variance), stats.variance)]);
    });
    tf.dispose([stats.mean, stats.variance, stats.maxAbs]);
  }
  return dead;
}

/** Recalibrates the encoder's and decoder's BatchNorms; returns how many channels were dead on the sample. */
export async function recalibrateBatchNorm(vae: Vae, train: Split): Promise<number> {
  const norms = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  const [encNorms, decNorms] = [norms(vae.encoder), norms(vae.decoder)];
  if (encNorms.length + decNorms.length === 0) return 0;
  const n = Math.min(SAMPLE, train.count);
  // kept for the whole recalibration: every layer is probed with the same batches
  const chunk = rowsPerPass(vae, CHUNK);
  const batches = Array.from({ length: Math.ceil(n / chunk) }, (_, b) => batchAt(train, b * chunk, Math.min((b + 1) * chunk, n), vae.spec));
  try {
    const encReset = await recalibrateModel(vae.encoder, encNorms, batches.map((b) => () => modelInputs(vae, b.x, b.y)));
    // the decoder is probed with the means of the encoder as it will evaluate: after its own recalibration
    const decReset = await recalibrateModel(vae.decoder, decNorms, batches.map((b) => () => modelInputs(vae, encode(vae, b.x, b.y, false).mu, b.y)));
    return encReset + decReset;
  } finally {
    batches.forEach(disposeBatch);
  }
}
