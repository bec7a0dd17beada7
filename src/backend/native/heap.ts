import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Float32 views of tensors in the wasm heap, for the addon to read and write in place (no copies). Take
 * them after the last makeOutput of a kernel: growing the heap detaches views taken before.
 */
export function heapFloats(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`native kernels take float32 tensors, got ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}
