import * as tf from '@tensorflow/tfjs';
import { readFloats, writeFloats } from './js-io.js';

/**
 * wasm's MaxPoolGrad routes dy wrongly when a window's maximum is negative. This routes each window's dy
 * to its argmax; on ties the first maximum in row-major window order wins, as in TensorFlow.
 */
export const maxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs;
  if (dy === undefined || input === undefined) throw new Error('MaxPoolGrad needs inputs dy and input');
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const x = readFloats(backend, input);
  const g = readFloats(backend, dy);
  const dx = new Float32Array(x.length);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - info.padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - info.padInfo.left;
        let seen = false;
        for (let h = Math.max(0, h0); h < Math.min(inHeight, h0 + info.filterHeight); h++) {
          for (let w = Math.max(0, w0); w < Math.min(inWidth, w0 + info.filterWidth); w++) {
            const base = ((b * inHeight + h) * inWidth + w) * c;
            for (let k = 0; k < c; k++) {
              const v = x[base + k] as number;
              if (!seen || v > (best[k] as number)) {
                best[k] = v;
                where[k] = base + k;
              }
            }
            seen = true;
          }
        }
        if (!seen) continue; // a window entirely in the padding passes nothing back
        const gBase = ((b * outHeight + oh) * outWidth + ow) * c;
        for (let k = 0; k < c; k++) {
          const i = where[k] as number;
          dx[i] = (dx[i] as number) + (g[gBase + k] as number);
        }
      }
    }
  }
  return writeFloats(backend, dx, input.shape);
};
