import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Runs a registered wasm kernel from inside another kernel, where the engine (and its tape) is bypassed. */
export function runWasm(
  kernelName: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config: tf.KernelConfig | undefined = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`wasm backend has no ${kernelName} kernel`);
  return single(config.kernelFunc({ inputs, backend, attrs }), kernelName);
}

export function single(out: tf.TensorInfo | tf.TensorInfo[], kernelName: string): tf.TensorInfo {
  if (Array.isArray(out)) throw new Error(`${kernelName} returned ${out.length} outputs where one was expected`);
  return out;
}

export function transpose(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runWasm('Transpose', backend, { x }, { perm });
}

/** Intermediates never reach the engine, so the backend's buckets must be freed by hand. */
export function free(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The engine hands kernels an untyped backend; ours are only registered for 'wasm'. */
export function asWasm(backend: {}): BackendWasm {
  return backend as BackendWasm;
}
