import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/datasets.js';
import type { Vae } from '../models/types.js';
import { encode } from '../models/vae.js';
import { batchTensors, disposeBatch, identityOrder } from './batch-tensors.js';

/**
 * Our BatchNorm layers follow a ReLU. A ReLU unit that died in training feeds its BatchNorm exact zeros,
 * so in training the channel outputs its offset beta, and its running variance decays toward 0. In
 * evaluation, a test image that does switch the unit on is then divided by sqrt(variance + eps), up to
 * 1/sqrt(eps) = 316 times: a handful of such images once put the test KL of a conv CVAE at 1.6 million
 * nats/image. For channels whose input is exactly zero on every image of a fixed training sample, we
 * reset the running mean to 0 and variance to 1, so evaluation computes what training did (about beta).
 * Trained weights, and training itself, are untouched.
 */
const SAMPLE = 2048; // training images probed: a live unit silent on all of them is vanishingly rare
const CHUNK = 256; // images per forward pass: conv activations of 256 images are ~50 MB

type Inputs = tf.Tensor | tf.Tensor[];

/** The largest |input| of each channel of one BatchNorm layer over the batches. */
function channelMax(model: tf.LayersModel, norm: tf.layers.Layer, batches: (() => Inputs)[]): tf.Tensor1D {
  // A probe over the same layers (no new weights), returning what the BatchNorm receives.
  const probe = tf.model({ inputs: model.inputs, outputs: norm.input as tf.SymbolicTensor });
  let max: tf.Tensor1D | null = null;
  for (const inputs of batches) {
    const next: tf.Tensor1D = tf.tidy(() => {
      const a = probe.predict(inputs()) as tf.Tensor;
      const m = tf.max(tf.abs(a), [...Array(a.rank - 1).keys()]) as tf.Tensor1D;
      return max === null ? m : (tf.maximum(m, max) as tf.Tensor1D);
    });
    max?.dispose();
    max = next;
  }
  return max!;
}

/**
 * Front to back, one layer at a time: resetting a channel changes what it passes on (exactly beta on
 * the sample), so each layer is probed with the layers before it already reset.
 */
function resetModel(model: tf.LayersModel, norms: tf.layers.Layer[], batches: (() => Inputs)[]): number {
  let reset = 0;
  for (const norm of norms) {
    const max = channelMax(model, norm, batches);
    tf.tidy(() => {
      const dead = tf.equal(max, 0);
      const count = tf.sum(tf.cast(dead, 'int32')).dataSync()[0]!;
      if (count === 0) return;
      reset += count;
      const [gamma, beta, mean, variance] = norm.getWeights();
      norm.setWeights([gamma!, beta!, tf.where(dead, tf.zerosLike(mean!), mean!), tf.where(dead, tf.onesLike(variance!), variance!)]);
    });
    max.dispose();
  }
  return reset;
}

/** Resets the running statistics of dead BatchNorm channels of the encoder and decoder; returns how many. */
export function resetDeadBatchNormChannels(vae: Vae, train: Split): number {
  const norms = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  const [encNorms, decNorms] = [norms(vae.encoder), norms(vae.decoder)];
  if (encNorms.length + decNorms.length === 0) return 0;
  const n = Math.min(SAMPLE, train.count);
  const order = identityOrder(n);
  const batches = Array.from({ length: Math.ceil(n / CHUNK) }, (_, b) =>
    batchTensors(train, order, b * CHUNK, Math.min((b + 1) * CHUNK, n), vae.spec.numClasses, vae.spec.kind === 'cvae'),
  );
  const label = (first: tf.Tensor, y: tf.Tensor | null): Inputs => (y === null ? first : [first, y]);
  try {
    const encReset = resetModel(vae.encoder, encNorms, batches.map((b) => () => label(b.x, b.y)));
    // the decoder is probed with the means of the encoder as it will evaluate: after its own reset
    const decReset = resetModel(vae.decoder, decNorms, batches.map((b) => () => label(encode(vae, b.x, b.y, false).mu, b.y)));
    return encReset + decReset;
  } finally {
    batches.forEach(disposeBatch);
  }
}
