import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { VaelabError } from '../../errors.js';
import { batchAt } from '../../data/batch-tensors.js';
import { epochOrder, gatherBatch } from '../../data/batches.js';
import type { Dataset, Split } from '../../data/datasets.js';
import { classifierNetwork } from './network.js';

/** How the reference classifier trains: classifiers/<dataset>.yaml, checked by this schema. */
export const ClassifierSpecSchema = z.strictObject({
  dataset: z.enum(['mnist', 'fashion-mnist', 'idx']).describe('the data set it classifies'),
  seed: z.int().min(0).max(2 ** 31 - 1).describe('seeds the weights and the order of the examples'),
  epochs: z.int().min(1).max(100),
  batchSize: z.int().min(1).max(4096),
  learningRate: z.number().positive().describe('Adam, halved for each of the last epochs after `decayAfter`'),
  decayAfter: z.int().min(0).describe('epochs at the full learning rate, after which it halves every epoch'),
});
export type ClassifierSpec = z.infer<typeof ClassifierSpecSchema>;

/** A classifier spec file (classifiers/<dataset>.yaml), checked; a user error names the file and the keys. */
export function readClassifierSpec(file: string): ClassifierSpec {
  const parsed = ClassifierSpecSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new VaelabError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Mean softmax cross-entropy of a batch's logits against integer labels. */
function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar;
}

const learningRateAt = (spec: ClassifierSpec, epoch: number) => spec.learningRate * 0.5 ** Math.max(0, epoch - spec.decayAfter);

/** Adam whose step size the epoch loop lowers (the moments carry over, as one optimizer's do). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

/**
 * Trains the classifier on the training split, seeded: the same spec, data and backend give the same
 * weights. `log` hears one line per epoch with the test accuracy. Null when `signal` aborts it (between steps).
 */
export async function trainClassifier(data: Dataset, spec: ClassifierSpec, log: (line: string) => void = () => {}, signal?: AbortSignal): Promise<{ model: tf.LayersModel; accuracy: number } | null> {
  const model = classifierNetwork(spec.seed, data.height, data.width, data.numClasses);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new ScheduledAdam(spec.learningRate, 0.9, 0.999, 1e-8);
  let accuracy = 0;
  try {
    for (let epoch = 0; epoch < spec.epochs; epoch++) {
      optimizer.setLearningRate(learningRateAt(spec, epoch));
      const order = epochOrder(data.train.count, spec.seed, epoch);
      for (let start = 0; start < order.length; start += spec.batchSize) {
        if (signal?.aborted === true) {
          model.dispose();
          return null;
        }
        const end = Math.min(order.length, start + spec.batchSize);
        const { x, y } = gatherBatch(data.train, order, start, end);
        tf.tidy(() => {
          const xs = tf.tensor2d(x, [end - start, data.height * data.width]);
          const ys = tf.tensor1d(Int32Array.from(y), 'int32');
          const { grads } = tf.variableGrads(() => crossEntropy(model.apply(xs, { training: true }) as tf.Tensor2D, ys, data.numClasses), variables);
          (optimizer as tf.Optimizer).applyGradients(grads);
        });
      }
      accuracy = await classifierAccuracy(model, data.test);
      log(`classifier epoch ${epoch + 1}/${spec.epochs}: test accuracy ${(100 * accuracy).toFixed(2)}%`);
    }
  } finally {
    optimizer.dispose();
  }
  return { model, accuracy };
}

/** The share of a split's images whose largest logit is their label. */
export async function classifierAccuracy(model: tf.LayersModel, split: Split, batchSize = 1000): Promise<number> {
  let right = 0;
  const spec = { kind: 'vae' as const, numClasses: 0 };
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(split.count, start + batchSize);
    const batch = batchAt(split, start, end, spec);
    const predicted = tf.tidy(() => tf.argMax(model.predict(batch.x) as tf.Tensor2D, 1));
    const p = await predicted.data();
    predicted.dispose();
    batch.x.dispose();
    for (let i = 0; i < end - start; i++) if (p[i] === split.labels[start + i]) right++;
  }
  return right / split.count;
}
