import type * as tf from '@tensorflow/tfjs';
import { asWasm } from './wasm-ops.js';

/**
 * wasm's Identity copies its input into a new buffer; the gradients of a training step call it hundreds
 * of times on whole activations (50 ms of a conv step). Tensors are immutable, so the output can share the
 * input's buffer, as wasm's own Reshape and the cpu backend's Identity do.
 */
export function makeIdentity(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') {
      if (original === undefined) throw new Error('wasm backend has no Identity kernel for strings');
      return original.kernelFunc(args);
    }
    asWasm(args.backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
