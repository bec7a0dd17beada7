import * as tf from '@tensorflow/tfjs';
import { asWasm } from '../kernels/wasm-ops.js';
import type { NativeAddon } from './addon.js';
import { heapFloats } from './heap.js';

/** x's rows and channels (its last axis), after checking every per-channel input has exactly C values. */
function channels(kernel: string, x: tf.TensorInfo, perChannel: Record<string, tf.TensorInfo>): { rows: number; cols: number } {
  const cols = x.shape.at(-1);
  const bad = Object.entries(perChannel).find(([, t]) => t.dtype !== 'float32' || t.shape.length !== 1 || t.shape[0] !== cols);
  if (x.dtype !== 'float32' || x.shape.length < 2 || cols === undefined || cols === 0 || bad !== undefined) {
    const detail = bad === undefined ? `x ${JSON.stringify(x.shape)} (${x.dtype})` : `${bad[0]} ${JSON.stringify(bad[1].shape)} (${bad[1].dtype})`;
    throw new Error(`${kernel}: expected float32 x [..., C] with C > 0 and float32 [C] statistics, found ${detail}`);
  }
  return { rows: tf.util.sizeFromShape(x.shape) / cols, cols };
}

/** BatchNorm on the batch's own statistics (src/backend/fused-kernels.ts): [y, mean, variance]. */
export function nativeBatchNormTrain(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { x, scale, offset } = args.inputs as Record<'x' | 'scale' | 'offset', tf.TensorInfo>;
    const { epsilon } = args.attrs as unknown as { epsilon: number };
    const { rows, cols } = channels('BatchNormTrain', x, { scale, offset });
    const wasm = asWasm(args.backend);
    const [y, mean, variance] = [wasm.makeOutput(x.shape, 'float32'), wasm.makeOutput([cols], 'float32'), wasm.makeOutput([cols], 'float32')];
    if (rows === 0) {
      heapFloats(wasm, mean).fill(NaN);
      heapFloats(wasm, variance).fill(NaN);
    } else {
      addon.batchNormTrain!(heapFloats(wasm, x), rows, cols, heapFloats(wasm, scale), heapFloats(wasm, offset), epsilon, heapFloats(wasm, y), heapFloats(wasm, mean), heapFloats(wasm, variance));
    }
    return [y, mean, variance];
  };
}

/** Its gradient for x, scale and offset: [dx, dscale, doffset]. */
export function nativeBatchNormTrainGrad(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, x, scale, mean, variance } = args.inputs as Record<'dy' | 'x' | 'scale' | 'mean' | 'variance', tf.TensorInfo>;
    const { epsilon } = args.attrs as unknown as { epsilon: number };
    const { rows, cols } = channels('BatchNormTrainGrad', x, { scale, mean, variance });
    if (!tf.util.arraysEqual(dy.shape, x.shape) || dy.dtype !== 'float32') throw new Error(`BatchNormTrainGrad: dy ${JSON.stringify(dy.shape)} is not x's ${JSON.stringify(x.shape)}`);
    const wasm = asWasm(args.backend);
    const [dx, dscale, doffset] = [wasm.makeOutput(x.shape, 'float32'), wasm.makeOutput([cols], 'float32'), wasm.makeOutput([cols], 'float32')];
    if (rows > 0) {
      addon.batchNormTrainGrad!(heapFloats(wasm, dy), heapFloats(wasm, x), rows, cols, heapFloats(wasm, scale), heapFloats(wasm, mean), heapFloats(wasm, variance), epsilon, heapFloats(wasm, dx), heapFloats(wasm, dscale), heapFloats(wasm, doffset));
    } else {
      heapFloats(wasm, dscale).fill(0);
      heapFloats(wasm, doffset).fill(0);
    }
    return [dx, dscale, doffset];
  };
}

/** The ReLU gradient in one pass (tfjs's is Step, Cast and Multiply: three). */
export function nativeReluGrad(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, x } = args.inputs as Record<'dy' | 'x', tf.TensorInfo>;
    if (dy.dtype !== 'float32' || x.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, x.shape)) {
      throw new Error(`ReluGrad: expected float32 dy and x of one shape, found ${JSON.stringify(dy.shape)} (${dy.dtype}) and ${JSON.stringify(x.shape)} (${x.dtype})`);
    }
    const wasm = asWasm(args.backend);
    const dx = wasm.makeOutput(x.shape, 'float32');
    addon.reluGrad!(heapFloats(wasm, dy), heapFloats(wasm, x), tf.util.sizeFromShape(x.shape), heapFloats(wasm, dx));
    return dx;
  };
}

/** A layer's bias and ReLU backward in one pass: [dx, dbias] (tfjs's ReluGrad and Sum: two). */
export function nativeBiasReluGrad(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { dy, y } = args.inputs as Record<'dy' | 'y', tf.TensorInfo>;
    const cols = y.shape.at(-1);
    if (dy.dtype !== 'float32' || y.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, y.shape) || y.shape.length < 2 || cols === undefined || cols === 0) {
      throw new Error(`BiasReluGrad: expected float32 dy and y [..., C] of one shape, found ${JSON.stringify(dy.shape)} (${dy.dtype}) and ${JSON.stringify(y.shape)} (${y.dtype})`);
    }
    const wasm = asWasm(args.backend);
    const [dx, dbias] = [wasm.makeOutput(y.shape, 'float32'), wasm.makeOutput([cols], 'float32')];
    addon.biasReluGrad!(heapFloats(wasm, dy), heapFloats(wasm, y), tf.util.sizeFromShape(y.shape) / cols, cols, heapFloats(wasm, dx), heapFloats(wasm, dbias));
    return [dx, dbias];
  };
}
