import type { Split } from './datasets.js';

/**
 * Seeded shuffling. The order of an epoch is a pure function of (seed, epoch), so a run resumed at
 * epoch e, step s sees exactly the batches the uninterrupted run would have seen, with no RNG state to
 * save in the checkpoint.
 */

/** mulberry32 (Tommy Ettinger): a 32-bit state PRNG returning floats in [0, 1) with 2^-32 resolution. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// MurmurHash3's 32-bit finalizer: nearby inputs (seed 1 vs 2, epoch 0 vs 1) give unrelated outputs.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An independent 32-bit seed for one stream (an epoch, a figure) of a run seeded with `seed`. */
export function deriveSeed(seed: number, stream: number): number {
  return fmix32((fmix32(seed >>> 0) + Math.imul(stream >>> 0, 0x9e3779b9)) >>> 0);
}

/** A permutation of 0..count-1 for this epoch (Fisher-Yates). */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  if (!Number.isInteger(count) || count < 0 || count > 0xffffffff) {
    throw new RangeError(`epochOrder: count must be an integer in 0..2^32-1, got ${count}`);
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const rng = createRng(deriveSeed(seed, epoch));
  for (let i = count - 1; i > 0; i--) {
    // Modulo-style bias is at most count / 2^32: invisible at dataset sizes.
    const j = Math.floor(rng() * (i + 1));
    const tmp = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = tmp;
  }
  return order;
}

/** The examples of an epoch in order: seeded shuffling, or file order (data.shuffle false, as the IWAE paper). */
export function trainingOrder(count: number, seed: number, epoch: number, shuffle: boolean): Uint32Array {
  return shuffle ? epochOrder(count, seed, epoch) : Uint32Array.from({ length: count }, (_, i) => i);
}

/** Batches per epoch, the last one partial when batchSize does not divide count. */
export function batchCount(count: number, batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchCount: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`batchCount: count must be a non-negative integer, got ${count}`);
  }
  return Math.ceil(count / batchSize);
}

/** Copies the examples order[start..end) into contiguous arrays, in that order. */
export function gatherBatch(
  split: Split,
  order: Uint32Array,
  start: number,
  end: number,
): { x: Float32Array; y: Uint8Array } {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > order.length || start >= end) {
    throw new RangeError(`gatherBatch: expected 0 <= start < end <= ${order.length}, got start ${start}, end ${end}`);
  }
  const size = split.images.length / split.count; // pixels per image
  const x = new Float32Array((end - start) * size);
  const y = new Uint8Array(end - start);
  for (let k = 0; k < end - start; k++) {
    const i = order[start + k] ?? 0;
    if (i >= split.count) {
      throw new RangeError(`gatherBatch: order[${start + k}] is ${i}, outside a split of ${split.count} examples`);
    }
    x.set(split.images.subarray(i * size, (i + 1) * size), k * size);
    y[k] = split.labels[i] ?? 0;
  }
  return { x, y };
}

/** Row-major [labels.length, numClasses] one-hot matrix, for the conditional models. */
export function oneHot(labels: Uint8Array, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  labels.forEach((label, i) => {
    if (label >= numClasses) {
      throw new RangeError(`oneHot: label ${label} at index ${i} is not below numClasses ${numClasses}`);
    }
    out[i * numClasses + label] = 1;
  });
  return out;
}
