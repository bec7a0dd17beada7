import * as tf from '@tensorflow/tfjs';
import { FEATURE_DIM, FEATURES_LAYER } from './network.js';

/** What the reference classifier sees in a set of images: its penultimate features and its class probabilities. */
export interface ClassifierView {
  n: number;
  features: Float32Array; // [n, FEATURE_DIM] row-major
  probs: Float32Array; // [n, classes] row-major, softmax of the logits
}

/**
 * The classifier's features and probabilities of n images ([n, P] row-major, intensities in [0, 1]), in
 * passes of `batchSize` so a large set never sits on the device whole. Each pass is one predict batch:
 * predict's own default (32) would cut it into slices too small for the convolutions to run well.
 */
export async function classifierView(classifier: tf.LayersModel, images: Float32Array, n: number, batchSize = 250): Promise<ClassifierView> {
  const pixels = images.length / n;
  const classes = classifier.outputs[0]!.shape[1]!;
  const both = tf.model({ inputs: classifier.inputs, outputs: [classifier.getLayer(FEATURES_LAYER).output as tf.SymbolicTensor, classifier.outputs[0]!] });
  const features = new Float32Array(n * FEATURE_DIM);
  const probs = new Float32Array(n * classes);
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const [f, p] = tf.tidy(() => {
      const x = tf.tensor2d(images.subarray(start * pixels, (start + m) * pixels), [m, pixels]);
      const [h, logits] = both.predict(x, { batchSize: m }) as tf.Tensor[];
      return [h!, tf.softmax(logits!)];
    });
    features.set(await f!.data(), start * FEATURE_DIM);
    probs.set(await p!.data(), start * classes);
    tf.dispose([f!, p!]);
  }
  return { n, features, probs };
}

/** The classifier's mean confidence (largest probability) and the share of each predicted class. */
export function predictions(view: ClassifierView, classes: number): { confidence: number; shares: number[]; predicted: Uint8Array } {
  const predicted = new Uint8Array(view.n);
  const counts = new Array<number>(classes).fill(0);
  let confidence = 0;
  for (let i = 0; i < view.n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (view.probs[i * classes + c]! > view.probs[i * classes + best]!) best = c;
    predicted[i] = best;
    counts[best]!++;
    confidence += view.probs[i * classes + best]!;
  }
  return { confidence: confidence / view.n, shares: counts.map((c) => c / view.n), predicted };
}
