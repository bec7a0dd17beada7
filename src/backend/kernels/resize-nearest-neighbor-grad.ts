import * as tf from '@tensorflow/tfjs';
import { readFloats, writeFloats } from './js-io.js';

/**
 * The cpu backend's ResizeNearestNeighborGrad reads dy with the image's batch stride, so every image
 * after the first gets a wrong gradient; cpu's and wasm's both ignore halfPixelCenters. This is the exact
 * adjoint of the forward resize: each dy pixel is added to the source pixel the forward pass copied it from.
 */
export const resizeNearestNeighborGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs;
  if (images === undefined || dy === undefined) throw new Error('ResizeNearestNeighborGrad needs images and dy');
  const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
  const [batch, inH, inW, depth] = images.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];
  const rows = nearestSources(outH, inH, alignCorners, halfPixelCenters);
  const cols = nearestSources(outW, inW, alignCorners, halfPixelCenters);
  const g = readFloats(backend, dy);
  const dx = new Float32Array(batch * inH * inW * depth);
  let from = 0;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < outH; y++) {
      const rowBase = (b * inH + (rows[y] as number)) * inW;
      for (let x = 0; x < outW; x++) {
        const to = (rowBase + (cols[x] as number)) * depth;
        for (let d = 0; d < depth; d++, from++) dx[to + d] = (dx[to + d] as number) + (g[from] as number);
      }
    }
  }
  return writeFloats(backend, dx, images.shape);
};

/** For each output index, the input index the forward nearest-neighbour resize reads (tfjs-core's rule). */
export function nearestSources(outSize: number, inSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const aligned = alignCorners && outSize > 1;
  const ratio = (aligned ? inSize - 1 : inSize) / (aligned ? outSize - 1 : outSize);
  const sources = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    sources[i] = halfPixelCenters ? Math.max(0, nearest) : nearest;
  }
  return sources;
}
