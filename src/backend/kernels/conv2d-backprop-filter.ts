import * as tf from '@tensorflow/tfjs';
import { asWasm, free, runWasm, transpose } from './wasm-ops.js';

/**
 * wasm has no Conv2DBackpropFilter, so conv layers cannot train there. The filter gradient
 *   dW[p, q, ci, co] = sum over b, i, j of x[b, i*sh + p - top, j*sw + q - left, ci] * dy[b, i, j, co]
 * is itself a stride-1 convolution: x seen as Ci images of B channels, dy as an OHxOW filter from B to Co
 * channels dilated by the stride. XNNPACK then does the work instead of a JavaScript loop.
 */
export const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasm(backend);
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs inputs x and dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error("wasm Conv2DBackpropFilter supports only dataFormat 'NHWC'");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) {
    throw new Error(`Conv2DBackpropFilter: dy has shape ${dy.shape}, the convolution gives ${info.outShape}`);
  }
  const { filterHeight, filterWidth, inChannels, outChannels, strideHeight, strideWidth, padInfo } = info;
  // The far-side padding makes the output at least the filter size; rows past it (a 'valid' conv whose
  // stride skips the last input rows) are sliced off below.
  const reachH = (info.outHeight - 1) * strideHeight + 1;
  const reachW = (info.outWidth - 1) * strideWidth + 1;
  const bottom = Math.max(0, filterHeight - 1 + reachH - info.inHeight - padInfo.top);
  const right = Math.max(0, filterWidth - 1 + reachW - info.inWidth - padInfo.left);

  const images = transpose(wasm, x, [3, 1, 2, 0]); // [Ci, H, W, B]
  const kernel = transpose(wasm, dy, [1, 2, 0, 3]); // [OH, OW, B, Co]
  const conv = runWasm(
    'Conv2D',
    wasm,
    { x: images, filter: kernel },
    {
      strides: 1,
      pad: [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]],
      dilations: [strideHeight, strideWidth],
      dataFormat: 'NHWC',
    },
  ); // [Ci, >= fh, >= fw, Co]
  free(wasm, images, kernel);
  let cropped = conv;
  if (conv.shape[1] !== filterHeight || conv.shape[2] !== filterWidth) {
    cropped = runWasm('Slice', wasm, { x: conv }, {
      begin: [0, 0, 0, 0],
      size: [inChannels, filterHeight, filterWidth, outChannels],
    });
    free(wasm, conv);
  }
  const dw = transpose(wasm, cropped, [1, 2, 0, 3]); // [fh, fw, Ci, Co]
  free(wasm, cropped);
  return dw;
};
