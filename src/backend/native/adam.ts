import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { loadAddon } from './addon.js';
import { heapFloats } from './heap.js';
import { nativeInstalled } from './install.js';

export interface AdamScalars {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  oneMinusAccBeta1: number; // float32 values, as tfjs computes them
  oneMinusAccBeta2: number;
}

export interface AdamSlot {
  value: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  gradient: tf.Tensor;
}

/**
 * Applies Adam to every slot in place in the wasm heap (one addon call per variable instead of about ten
 * kernels), when the native backend is on and no other tensor shares a variable's buffer (tensors are
 * immutable to everyone else); returns false, having changed nothing, otherwise.
 */
/** Whether adamInPlace can run: the addon's kernels are installed and wasm is the current backend. */
export function nativeAdamActive(): boolean {
  return nativeInstalled() && tf.getBackend() === 'wasm';
}

export function adamInPlace(slots: readonly AdamSlot[], scalars: AdamScalars): boolean {
  if (!nativeAdamActive()) return false;
  const loaded = loadAddon();
  if (!loaded.ok) return false;
  const backend = tf.backend() as BackendWasm;
  const owned = (t: tf.Tensor) => t.dtype === 'float32' && backend.refCount(t.dataId) === 1;
  if (!slots.every((s) => owned(s.value) && owned(s.m) && owned(s.v) && s.gradient.dtype === 'float32' && s.gradient.size === s.value.size)) return false;
  const { learningRate, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2 } = scalars;
  for (const s of slots) {
    loaded.addon.adamStep(heapFloats(backend, s.value), heapFloats(backend, s.m), heapFloats(backend, s.v), heapFloats(backend, s.gradient), learningRate, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2);
  }
  return true;
}
