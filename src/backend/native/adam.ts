import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { loadAddon, type NativeAddon } from './addon.js';
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

/** Whether adamInPlace can run: the addon's kernels are installed and wasm is the current backend. */
export function nativeAdamActive(): boolean {
  return nativeInstalled() && tf.getBackend() === 'wasm';
}

/**
 * The wasm backend and the addon, when every slot's buffers may be written in place: float32, and no
 * other tensor shares a variable's buffer (tensors are immutable to everyone else); null otherwise.
 */
function inPlace(slots: readonly AdamSlot[]): { backend: BackendWasm; addon: NativeAddon } | null {
  if (!nativeAdamActive()) return null;
  const loaded = loadAddon();
  if (!loaded.ok) return null;
  const backend = tf.backend() as BackendWasm;
  const owned = (t: tf.Tensor) => t.dtype === 'float32' && backend.refCount(t.dataId) === 1;
  const ok = slots.every((s) => owned(s.value) && owned(s.m) && owned(s.v) && s.gradient.dtype === 'float32' && s.gradient.size === s.value.size);
  return ok ? { backend, addon: loaded.addon } : null;
}

/**
 * Applies tfjs's Adam to every slot in place in the wasm heap (one addon call per variable instead of
 * about ten kernels); returns false, having changed nothing, where inPlace says no.
 */
export function adamInPlace(slots: readonly AdamSlot[], scalars: AdamScalars): boolean {
  const target = inPlace(slots);
  if (target === null) return false;
  const { backend, addon } = target;
  const { learningRate, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2 } = scalars;
  for (const s of slots) {
    addon.adamStep(heapFloats(backend, s.value), heapFloats(backend, s.m), heapFloats(backend, s.v), heapFloats(backend, s.gradient), learningRate, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2);
  }
  return true;
}

/**
 * The IWAE paper code's Adam step (src/train/iwae-code-adam.ts) on every slot in place, one addon call per
 * variable; returns false, having changed nothing, where inPlace says no or the addon predates the kernel.
 */
export function iwaeAdamInPlace(slots: readonly AdamSlot[], s: { alpha: number; beta1: number; beta2: number; epsilon: number }): boolean {
  const target = inPlace(slots);
  if (target === null || target.addon.iwaeAdamStep === undefined) return false;
  const { backend, addon } = target;
  for (const slot of slots) {
    addon.iwaeAdamStep!(heapFloats(backend, slot.value), heapFloats(backend, slot.m), heapFloats(backend, slot.v), heapFloats(backend, slot.gradient), s.alpha, s.beta1, s.beta2, s.epsilon);
  }
  return true;
}
