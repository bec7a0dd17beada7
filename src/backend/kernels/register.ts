import * as tf from '@tensorflow/tfjs';

/** Builds our kernel; `original` is the kernel it replaces, absent where the backend has none. */
export type KernelFactory = (original: tf.KernelConfig | undefined) => tf.KernelFunc;

// The registry is global to tfjs, so what we installed, and what it replaced, has to be known globally too:
// it makes registration idempotent and lets tests run the original to show the bug a fix removes.
const replaced = new WeakMap<tf.KernelFunc, tf.KernelConfig | undefined>();
const names = new Map<string, Set<string>>(); // backend -> kernels we replaced there
const replacedGradients = new WeakMap<tf.GradFunc, tf.GradConfig | undefined>();

/** Installs our kernel in place of the registered one, once; later calls are no-ops. */
export function replaceKernel(kernelName: string, backendName: string, factory: KernelFactory): void {
  const current: tf.KernelConfig | undefined = tf.getKernel(kernelName, backendName);
  if (current !== undefined && replaced.has(current.kernelFunc)) return;
  const impl = factory(current);
  // A fresh function per registration keys the bookkeeping, even where one implementation serves two backends.
  const kernelFunc: tf.KernelFunc = (args) => impl(args);
  replaced.set(kernelFunc, current);
  names.set(backendName, (names.get(backendName) ?? new Set()).add(kernelName));
  if (current !== undefined) tf.unregisterKernel(kernelName, backendName);
  // The original's setup binds its wasm functions at backend start; keep it for a backend started later.
  tf.registerKernel({
    kernelName,
    backendName,
    kernelFunc,
    setupFunc: current?.setupFunc,
    disposeFunc: current?.disposeFunc,
  });
}

/** Installs our gradient for a kernel in place of tfjs's one, once. */
export function replaceGradient(config: tf.GradConfig): void {
  const current: tf.GradConfig | undefined = tf.getGradient(config.kernelName);
  if (current !== undefined && replacedGradients.has(current.gradFunc)) return;
  replacedGradients.set(config.gradFunc, current);
  tf.registerGradient(config);
}

/**
 * Puts tfjs's own kernels and gradients back (the bench's "stock" rows measure what the fixes are worth);
 * registerKernelFixes installs the fixes again.
 */
export function restoreStockKernels(backendName: string): void {
  for (const kernelName of names.get(backendName) ?? []) {
    const current: tf.KernelConfig | undefined = tf.getKernel(kernelName, backendName);
    if (current === undefined || !replaced.has(current.kernelFunc)) continue;
    const original = replaced.get(current.kernelFunc);
    tf.unregisterKernel(kernelName, backendName);
    if (original !== undefined) tf.registerKernel(original);
  }
  names.delete(backendName);
}

/** The kernel our fix replaced: undefined where no fix is installed or the backend had no such kernel. */
export function originalKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  const current: tf.KernelConfig | undefined = tf.getKernel(kernelName, backendName);
  return current === undefined ? undefined : replaced.get(current.kernelFunc);
}

/** The gradient our fix replaced, for comparison in tests. */
export function originalGradient(kernelName: string): tf.GradConfig | undefined {
  const current: tf.GradConfig | undefined = tf.getGradient(kernelName);
  return current === undefined ? undefined : replacedGradients.get(current.gradFunc);
}

/** Whether the registered kernel is one of ours. */
export function isFixed(kernelName: string, backendName: string): boolean {
  const current: tf.KernelConfig | undefined = tf.getKernel(kernelName, backendName);
  return current !== undefined && replaced.has(current.kernelFunc);
}
