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

/** FusedBatchNorm with per-channel statistics (each of size C, the last axis) in one pass; else wasm's. */
export function nativeBatchNorm(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
    const channels = x!.shape.at(-1)!;
    const perChannel = (t: tf.TensorInfo | undefined) => t === undefined || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === channels && t.shape.slice(0, -1).every((d) => d === 1) && t.shape.at(-1) === channels);
    if (x!.dtype !== 'float32' || x!.shape.length < 2 || mean === undefined || variance === undefined || ![mean, variance, offset, scale].every(perChannel)) {
      if (original === undefined) throw new Error('FusedBatchNorm: no wasm kernel to fall back to');
      return original.kernelFunc(args);
    }
    const wasm = asWasm(args.backend);
    const y = wasm.makeOutput(x!.shape, 'float32');
    const view = (t: tf.TensorInfo | undefined) => (t === undefined ? null : heapFloats(wasm, t));
    addon.batchNorm(heapFloats(wasm, x!), tf.util.sizeFromShape(x!.shape) / channels, channels, heapFloats(wasm, mean), heapFloats(wasm, variance), view(offset), view(scale), varianceEpsilon, heapFloats(wasm, y));
    return y;
  };
}

/**
 * Add of a float32 [..., C] and a bias of C values (shape [C] or [1, ..., 1, C], either side): one pass,
 * where wasm's broadcasting Add takes ~10 ms at [128, 28, 28, 64]; any other Add goes to the kernel replaced.
 */
export function nativeAdd(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const isBias = (big: tf.TensorInfo, bias: tf.TensorInfo) =>
      big.shape.length >= 2 && bias.shape.length >= 1 && bias.shape.length <= big.shape.length && bias.shape.at(-1) === big.shape.at(-1) && bias.shape.slice(0, -1).every((d) => d === 1) && tf.util.sizeFromShape(big.shape) > bias.shape.at(-1)!;
    const [big, bias] = isBias(a, b) ? [a, b] : isBias(b, a) ? [b, a] : [null, null];
    if (big === null || bias === null || a.dtype !== 'float32' || b.dtype !== 'float32') {
      if (original === undefined) throw new Error('Add: no wasm kernel to fall back to');
      return original.kernelFunc(args);
    }
    const cols = big.shape.at(-1)!;
    const wasm = asWasm(args.backend);
    const out = wasm.makeOutput(big.shape, 'float32');
    addon.addRows!(heapFloats(wasm, big), tf.util.sizeFromShape(big.shape) / cols, cols, heapFloats(wasm, bias), heapFloats(wasm, out));
    return out;
  };
}
