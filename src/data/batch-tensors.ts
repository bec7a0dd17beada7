import * as tf from '@tensorflow/tfjs';
import { binarizeInPlace } from './binarize.js';
import { gatherBatch, oneHot } from './batches.js';
import type { Split } from './datasets.js';

export interface BatchTensors {
  x: tf.Tensor2D;
  y: tf.Tensor2D | null; // one-hot labels, only for a conditional model
  size: number;
}

/** Which examples make a batch: order[start..end), for a model of `spec`. */
export interface BatchSlice {
  order: Uint32Array;
  start: number;
  end: number;
  spec: BatchSpec;
  binarizeSeed?: number; // the images binarized from this seed (data.binarize dynamic)
}

/** Examples order[start..end) of a split as tensors; the caller disposes them. */
export function batchTensors(split: Split, { order, start, end, spec, binarizeSeed }: BatchSlice): BatchTensors {
  const { x, y } = gatherBatch(split, order, start, end);
  if (binarizeSeed !== undefined) binarizeInPlace(x, binarizeSeed);
  const size = end - start;
  return {
    x: tf.tensor2d(x, [size, x.length / size]),
    y: spec.kind === 'cvae' ? tf.tensor2d(oneHot(y, spec.numClasses), [size, spec.numClasses]) : null,
    size,
  };
}

export function disposeBatch(b: BatchTensors): void {
  b.x.dispose();
  b.y?.dispose();
}

/** What a batch must hold for a model (a VaeSpec satisfies it): a one-hot label only for a cvae. */
export interface BatchSpec {
  kind: 'vae' | 'cvae';
  numClasses: number;
}

/** Examples start..end of a split, in order, as tensors for a model of this spec; the caller disposes them. */
export function batchAt(split: Split, start: number, end: number, spec: BatchSpec): BatchTensors {
  const range = Uint32Array.from({ length: end - start }, (_, i) => start + i);
  return batchTensors(split, { order: range, start: 0, end: range.length, spec });
}

/**
 * The first `count` examples of a split, in order, in batches of at most `size` (the evaluation passes).
 * Each batch is disposed when the loop moves on or leaves early.
 */
export function* splitBatches(split: Split, count: number, size: number, spec: BatchSpec): Generator<BatchTensors & { start: number }> {
  for (let start = 0; start < count; start += size) {
    const batch = batchAt(split, start, Math.min(start + size, count), spec);
    try {
      yield { ...batch, start };
    } finally {
      disposeBatch(batch);
    }
  }
}
