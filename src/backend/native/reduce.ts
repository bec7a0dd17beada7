import * as tf from '@tensorflow/tfjs';
import { asWasm } from '../kernels/wasm-ops.js';
import type { NativeAddon } from './addon.js';
import { heapFloats } from './heap.js';

/**
 * Sum and Mean over every axis but the last (BatchNorm's per-channel statistics over [0, 1, 2] of NHWC,
 * and their gradients), which wasm runs slowly; any other reduction goes to the kernel replaced.
 */
export function nativeReduce(addon: NativeAddon, original: tf.KernelConfig | undefined, mean: boolean): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') {
      if (original === undefined) throw new Error(`${mean ? 'Mean' : 'Sum'}: no wasm kernel to fall back to`);
      return original.kernelFunc(args);
    }
    const cols = x.shape[rank - 1]!;
    const rows = tf.util.sizeFromShape(x.shape) / cols;
    const wasm = asWasm(args.backend);
    const out = wasm.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), cols] : [cols], 'float32');
    if (rows === 0) heapFloats(wasm, out).fill(mean ? NaN : 0);
    else addon.sumRows(heapFloats(wasm, x), rows, cols, heapFloats(wasm, out), mean ? 1 / rows : 1);
    return out;
  };
}
