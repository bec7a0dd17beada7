import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/batches.js';
import type { Dataset, Split } from '../data/datasets.js';
import type { Vae } from '../models/family.js';
import { decode, reconstruct } from '../models/vae.js';
import { FEATURE_DIM } from './classifier/network.js';
import { classifierView, predictions, type ClassifierView } from './classifier/view.js';
import { featureStats, frechetDistance } from './quality/frechet.js';
import { precisionRecall } from './quality/precision-recall.js';

/**
 * How good a model's samples look to the data set's reference classifier, on its penultimate features:
 * the Fréchet distance of prior samples to the test set ("FD (MNIST classifier)", never FID), precision and
 * recall (Kynkäänniemi et al. 2019), the classifier's confidence and the share of each class it sees among
 * the samples, and for a CVAE its accuracy on samples drawn for each label. Two reference points put the
 * numbers in scale: the training images against the test set (what a perfect model reaches at this N)
 * and the test set's own reconstructions.
 */
export interface SampleQuality {
  classifier: string; // SHA-256 of the classifier's weights: numbers compare only under the same one
  samples: number; // N
  seed: number;
  fd: { samples: number; reconstructions: number; trainingImages: number };
  precision: number;
  recall: number;
  k: number;
  confidence: number; // mean largest class probability on the samples
  classShares: number[]; // of the samples, by predicted class
  labelAccuracy: number[] | null; // cvae: per label, the share of its samples classified as it
}

const SAMPLE_STREAM = 0x5a3b1e; // the prior draws of the evaluation, apart from every other stream
export const QUALITY_K = 3; // the neighbour that sets a radius in precision and recall, as in the paper

export interface SampleQualityOptions {
  samples: number;
  seed: number;
  batchSize: number;
  classifierHash: string;
  /** Where z comes from: [m, latentDim] codes from a seed (default: the family's prior). */
  draw?: (m: number, seed: number) => tf.Tensor2D;
  /** The classifier's views of the test set, training images and reconstructions, when already computed (another draw). */
  references?: ReferenceViews;
}

/** What the samples are measured against, the same for every way of drawing them. */
export interface ReferenceViews {
  test: ClassifierView; // the first N test images
  training: ClassifierView; // the first N training images: the floor a perfect model reaches at this N
  reconstructions: ClassifierView; // the test images' reconstructions
}

/** The images of the first n examples of a split. */
const firstImages = (split: Split, n: number) => split.images.subarray(0, n * (split.images.length / split.count));

export async function referenceViews(vae: Vae, data: Dataset, classifier: tf.LayersModel, o: Pick<SampleQualityOptions, 'samples' | 'batchSize'>): Promise<ReferenceViews> {
  const n = Math.min(o.samples, data.test.count);
  const nTrain = Math.min(o.samples, data.train.count);
  const test = await classifierView(classifier, firstImages(data.test, n), n);
  const training = await classifierView(classifier, firstImages(data.train, nTrain), nTrain);
  const P = pixelsOf(data);
  const recon = await decodeInBatches(n, o.batchSize, data.numClasses, vae.spec.kind === 'cvae' ? data.test.labels : null, (m, b, y) =>
    tf.tidy(() => reconstruct(vae, tf.tensor2d(firstImages(data.test, n).subarray(b * o.batchSize * P, (b * o.batchSize + m) * P), [m, P]), y)),
  );
  return { test, training, reconstructions: await classifierView(classifier, recon, n) };
}

export async function sampleQuality(vae: Vae, data: Dataset, classifier: tf.LayersModel, o: SampleQualityOptions): Promise<SampleQuality> {
  const { test, training, reconstructions } = o.references ?? (await referenceViews(vae, data, classifier, o));
  const cvae = vae.spec.kind === 'cvae';
  // a CVAE draws for the test set's labels in order, so the samples hold its class proportions
  const labels = cvae ? Uint8Array.from({ length: o.samples }, (_, i) => data.test.labels[i % data.test.count]!) : null;
  const draw = o.draw ?? ((m: number, seed: number) => vae.family.samplePrior(vae.spec, m, seed));
  const drawn = await decodeInBatches(o.samples, o.batchSize, data.numClasses, labels, (m, b, y) =>
    tf.tidy(() => decode(vae, draw(m, deriveSeed(o.seed, SAMPLE_STREAM + b)), y)),
  );
  const samples = await classifierView(classifier, drawn, o.samples);
  const ref = featureStats(test.features, test.n, FEATURE_DIM);
  const fdTo = (v: ClassifierView) => frechetDistance(featureStats(v.features, v.n, FEATURE_DIM), ref, FEATURE_DIM).distance;
  const { precision, recall } = precisionRecall(test.features, samples.features, test.n, samples.n, FEATURE_DIM, QUALITY_K);
  const seen = predictions(samples, data.numClasses);
  return {
    classifier: o.classifierHash,
    samples: o.samples,
    seed: o.seed,
    fd: { samples: fdTo(samples), reconstructions: fdTo(reconstructions), trainingImages: fdTo(training) },
    precision,
    recall,
    k: QUALITY_K,
    confidence: seen.confidence,
    classShares: seen.shares,
    labelAccuracy: labels === null ? null : labelAccuracy(seen.predicted, labels, data.numClasses),
  };
}

const pixelsOf = (data: Dataset) => data.height * data.width;

/** n decoded images in batches: decode(m, batch index, one-hot labels or null) gives [m, P] probabilities. */
async function decodeInBatches(n: number, batchSize: number, classes: number, labels: Uint8Array | null, decode: (m: number, b: number, y: tf.Tensor2D | null) => tf.Tensor2D): Promise<Float32Array> {
  let out: Float32Array | null = null;
  for (let b = 0, start = 0; start < n; b++, start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const y = labels === null ? null : tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(labels.subarray(start, start + m)), 'int32'), classes).toFloat() as tf.Tensor2D);
    const images = decode(m, b, y);
    const values = await images.data();
    out ??= new Float32Array(n * (values.length / m));
    out.set(values, start * (values.length / m));
    tf.dispose([images, ...(y === null ? [] : [y])]);
  }
  return out ?? new Float32Array(0);
}

/** For each label, the share of the samples drawn for it that the classifier assigns to it. */
function labelAccuracy(predicted: Uint8Array, labels: Uint8Array, classes: number): number[] {
  const right = new Array<number>(classes).fill(0);
  const total = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    total[labels[i]!]!++;
    if (predicted[i] === labels[i]) right[labels[i]!]!++;
  }
  return right.map((r, c) => (total[c]! === 0 ? 0 : r / total[c]!));
}
