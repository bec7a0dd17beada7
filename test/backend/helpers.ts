import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { originalGradient, originalKernel } from '../../src/backend/kernels/index.js';
import { selectBackend } from '../../src/backend/select.js';

export type TestBackend = 'cpu' | 'wasm' | 'native' | 'webgpu';

/** Switches backend through selectBackend, so the fixes for it are installed. */
export async function use(backend: TestBackend): Promise<void> {
  await selectBackend(backend);
}

/** Deterministic values in [lo, hi): tests must fail the same way every run. */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

export function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Largest |a - b| relative to the largest |b| (or 1 when b is small), so tolerances read as float32 error. */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / scale;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(relError(actual, expected)).toBeLessThan(tol);
}

/** Runs fn and checks it left no tensor behind, nor any data bucket in the backend. */
export function noLeak<T>(fn: () => T): T {
  const tensors = tf.memory().numTensors;
  const buckets = tf.engine().backend.numDataIds();
  const out = fn();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.engine().backend.numDataIds()).toBe(buckets);
  return out;
}

/** Computes with tfjs's own kernel in place of our fix, to show the bug the fix removes. */
export function withOriginalKernel<T>(kernelName: string, backendName: string, fn: () => T): T {
  const fixed = tf.getKernel(kernelName, backendName);
  const original = originalKernel(kernelName, backendName);
  if (original === undefined) throw new Error(`no original ${kernelName} for ${backendName}`);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(original);
  try {
    return fn();
  } finally {
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(fixed);
  }
}

export function withOriginalGradient<T>(kernelName: string, fn: () => T): T {
  const fixed = tf.getGradient(kernelName);
  const original = originalGradient(kernelName);
  if (original === undefined) throw new Error(`no original gradient for ${kernelName}`);
  tf.registerGradient(original);
  try {
    return fn();
  } finally {
    tf.registerGradient(fixed);
  }
}

/** Gradients of sum(f(xs) * weights) with respect to each input, as plain arrays. */
export function gradsOf(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: { values: Float32Array; shape: number[] }[],
  weightSeed: number,
): Float32Array[] {
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
    const probe = f(...xs);
    const weights = tf.tensor(seeded(probe.size, weightSeed), probe.shape);
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), weights)))(xs);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}
