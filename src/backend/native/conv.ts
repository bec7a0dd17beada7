import * as tf from '@tensorflow/tfjs';
import { asWasm } from '../kernels/wasm-ops.js';
import type { NativeAddon } from './addon.js';
import { heapFloats } from './heap.js';

type Info = tf.backend_util.Conv2DInfo;

/** The geometry the addon takes, or null where oneDNN would need a negative far-side padding. */
function geometry(info: Info): number[] | null {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const bottom = (outHeight - 1) * strideHeight + (filterHeight - 1) * dilationHeight + 1 - inHeight - padInfo.top;
  const right = (outWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth + 1 - inWidth - padInfo.left;
  if (bottom < 0 || right < 0 || info.dataFormat !== 'channelsLast') return null;
  return [batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo.top, padInfo.left];
}

const shape4 = (s: number[]) => s as [number, number, number, number];

/** Conv2D (NHWC) on oneDNN; other layouts and geometries go to the kernel it replaces. */
export function nativeConv2d(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const info = convInfo(args);
    const g = geometry(info);
    if (g === null) return fallback(original, 'Conv2D', args);
    const wasm = asWasm(backend);
    const y = wasm.makeOutput(info.outShape, 'float32');
    addon.conv2d(heapFloats(wasm, x), heapFloats(wasm, filter), heapFloats(wasm, y), ...g);
    return y;
  };
}

/** Conv2DBackpropInput (the gradient of Conv2D for its input) on oneDNN. */
export function nativeConv2dBackpropInput(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(shape4(inputShape), shape4(filter.shape), strides, 1, pad, dimRoundingMode, false, tf.backend_util.convertConv2DDataFormat(dataFormat));
    const g = geometry(info);
    if (g === null || !tf.util.arraysEqual(dy.shape, info.outShape)) return fallback(original, 'Conv2DBackpropInput', args);
    const wasm = asWasm(backend);
    const dx = wasm.makeOutput(info.inShape, 'float32');
    addon.conv2dBackpropInput(heapFloats(wasm, dx), heapFloats(wasm, filter), heapFloats(wasm, dy), ...g);
    return dx;
  };
}

/** Conv2DBackpropFilter (the gradient of Conv2D for its filter) on oneDNN. */
export function nativeConv2dBackpropFilter(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { filterShape, strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(shape4(x.shape), shape4(filterShape), strides, 1, pad, dimRoundingMode, false, tf.backend_util.convertConv2DDataFormat(dataFormat));
    const g = geometry(info);
    if (g === null || !tf.util.arraysEqual(dy.shape, info.outShape)) return fallback(original, 'Conv2DBackpropFilter', args);
    const wasm = asWasm(backend);
    const dw = wasm.makeOutput(filterShape, 'float32');
    addon.conv2dBackpropFilter(heapFloats(wasm, x), heapFloats(wasm, dw), heapFloats(wasm, dy), ...g);
    return dw;
  };
}

/** FusedConv2D (a conv layer's convolution, bias and linear or ReLU activation in one) on oneDNN. */
export function nativeFusedConv2d(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  const conv = nativeConv2d(addon, undefined);
  return (args) => {
    const { bias, preluActivationWeights } = args.inputs as { bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
    const { activation } = args.attrs as unknown as { activation: string };
    const info = convInfo(args);
    const channels = info.outChannels;
    const simple = (activation === 'linear' || activation === 'relu') && preluActivationWeights === undefined && (bias === undefined || (bias.shape.length === 1 && bias.shape[0] === channels));
    if (!simple || geometry(info) === null) return fallback(original, 'FusedConv2D', args);
    const y = conv(args) as tf.TensorInfo;
    const wasm = asWasm(args.backend);
    if (bias !== undefined || activation === 'relu') {
      addon.biasActivation(heapFloats(wasm, y), tf.util.sizeFromShape(y.shape) / channels, channels, bias === undefined ? null : heapFloats(wasm, bias), activation === 'relu');
    }
    return y;
  };
}

/** ConvBiasRelu (src/backend/fused-kernels.ts): FusedConv2D with a bias and ReLU. */
export function nativeConvBiasRelu(addon: NativeAddon): tf.KernelFunc {
  const fused = nativeFusedConv2d(addon, undefined);
  return (args) => fused({ ...args, attrs: { ...args.attrs, dilations: [1, 1], activation: 'relu' } });
}

function convInfo({ inputs, attrs }: Parameters<tf.KernelFunc>[0]): Info {
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
  return tf.backend_util.computeConv2DInfo(shape4(x.shape), shape4(filter.shape), strides, dilations, pad, dimRoundingMode, false, tf.backend_util.convertConv2DDataFormat(dataFormat));
}

function fallback(original: tf.KernelConfig | undefined, name: string, args: Parameters<tf.KernelFunc>[0]) {
  if (original === undefined) throw new Error(`${name}: this geometry is not supported natively and wasm has no kernel for it`);
  return original.kernelFunc(args);
}
