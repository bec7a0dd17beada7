import * as tf from '@tensorflow/tfjs';
import { nearestSources } from '../kernels/resize-nearest-neighbor-grad.js';
import { asWasm } from '../kernels/wasm-ops.js';
import type { NativeAddon } from './addon.js';
import { heapFloats } from './heap.js';

/** MaxPoolGrad (NHWC) in C++: the same rule as our wasm fix (the gradient goes to each window's first maximum). */
export function nativeMaxPoolGrad(addon: NativeAddon): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    if (!tf.util.arraysEqual(dy.shape, info.outShape)) throw new Error(`MaxPoolGrad: dy has shape ${dy.shape}, the pooling gives ${info.outShape}`);
    const wasm = asWasm(backend);
    const dx = wasm.makeOutput(input.shape, 'float32');
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
    addon.maxPoolGrad(heapFloats(wasm, input), heapFloats(wasm, dy), heapFloats(wasm, dx), batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left);
    return dx;
  };
}

/** ResizeNearestNeighborGrad (NHWC) in C++, with the source rule of our wasm fix (halfPixelCenters honoured). */
export function nativeResizeNearestGrad(addon: NativeAddon): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
    const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
    const [batch, inH, inW, depth] = images.shape as [number, number, number, number];
    const [, outH, outW] = dy.shape as [number, number, number, number];
    const rows = Float32Array.from(nearestSources(outH, inH, alignCorners, halfPixelCenters));
    const cols = Float32Array.from(nearestSources(outW, inW, alignCorners, halfPixelCenters));
    const wasm = asWasm(backend);
    const dx = wasm.makeOutput(images.shape, 'float32');
    addon.resizeNearestGrad(heapFloats(wasm, dy), rows, cols, heapFloats(wasm, dx), batch, inH, inW, depth, outH, outW);
    return dx;
  };
}

/** ResizeNearestNeighbor (NHWC, float32) in C++ with tfjs's source rule; other dtypes go to the kernel replaced. */
export function nativeResizeNearest(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { images } = args.inputs as { images: tf.TensorInfo };
    const { alignCorners, halfPixelCenters, size } = args.attrs as unknown as tf.ResizeNearestNeighborAttrs;
    if (images.dtype !== 'float32' || images.shape.length !== 4) {
      if (original === undefined) throw new Error('ResizeNearestNeighbor: no wasm kernel to fall back to');
      return original.kernelFunc(args);
    }
    const [batch, inH, inW, depth] = images.shape as [number, number, number, number];
    const [outH, outW] = size;
    const rows = Float32Array.from(nearestSources(outH, inH, alignCorners, halfPixelCenters));
    const cols = Float32Array.from(nearestSources(outW, inW, alignCorners, halfPixelCenters));
    const wasm = asWasm(args.backend);
    const y = wasm.makeOutput([batch, outH, outW, depth], 'float32');
    addon.resizeNearest!(heapFloats(wasm, images), rows, cols, heapFloats(wasm, y), batch, inH, inW, depth, outH, outW);
    return y;
  };
}
