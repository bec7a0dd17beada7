import * as tf from '@tensorflow/tfjs';
import { gatherBatch, oneHot } from '../data/batches.js';
import type { Split } from '../data/datasets.js';

export interface BatchTensors {
  x: tf.Tensor2D;
  y: tf.Tensor2D | null; // one-hot labels, only for a conditional model
  size: number;
}

/** Examples order[start..end) of a split as tensors; the caller disposes them. */
export function batchTensors(
  split: Split,
  order: Uint32Array,
  start: number,
  end: number,
  numClasses: number,
  conditional: boolean,
): BatchTensors {
  const { x, y } = gatherBatch(split, order, start, end);
  const size = end - start;
  return {
    x: tf.tensor2d(x, [size, x.length / size]),
    y: conditional ? tf.tensor2d(oneHot(y, numClasses), [size, numClasses]) : null,
    size,
  };
}

export function disposeBatch(b: BatchTensors): void {
  b.x.dispose();
  b.y?.dispose();
}

export function identityOrder(count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, i) => i);
}
