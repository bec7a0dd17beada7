import * as tf from '@tensorflow/tfjs';
import { asWasm } from '../kernels/wasm-ops.js';
import type { NativeAddon } from './addon.js';
import { heapFloats } from './heap.js';

interface Operands {
  logits: tf.TensorInfo;
  x: tf.TensorInfo;
  samples: number;
  rows: number;
  cols: number;
}

function operands(kernel: string, args: Parameters<tf.KernelFunc>[0]): Operands {
  const { logits, x } = args.inputs as { logits: tf.TensorInfo; x: tf.TensorInfo };
  const { samples } = args.attrs as unknown as { samples: number };
  const [rows, cols] = logits.shape as [number, number];
  if (logits.shape.length !== 2 || x.shape.length !== 2 || x.shape[1] !== cols || !Number.isInteger(samples) || samples < 1 || x.shape[0]! * samples !== rows) {
    throw new Error(`${kernel}: logits ${JSON.stringify(logits.shape)} do not hold ${samples} rows per image of x ${JSON.stringify(x.shape)}`);
  }
  return { logits, x, samples, rows, cols };
}

/** The fused Bernoulli negative log-likelihood per row (src/backend/fused-kernels.ts). */
export function nativeBernoulliNll(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { logits, x, samples, rows, cols } = operands('BernoulliNll', args);
    const wasm = asWasm(args.backend);
    const out = wasm.makeOutput([rows], 'float32');
    addon.bernoulliNll(heapFloats(wasm, logits), heapFloats(wasm, x), rows, cols, samples, heapFloats(wasm, out));
    return out;
  };
}

/** Its gradient with respect to the logits. */
export function nativeBernoulliNllGrad(addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const { logits, x, samples, rows, cols } = operands('BernoulliNllGrad', args);
    const { dy } = args.inputs as { dy: tf.TensorInfo };
    if (dy.shape.length !== 1 || dy.shape[0] !== rows) throw new Error(`BernoulliNllGrad: dy ${JSON.stringify(dy.shape)} is not [${rows}]`);
    const wasm = asWasm(args.backend);
    const dl = wasm.makeOutput([rows, cols], 'float32');
    addon.bernoulliNllGrad(heapFloats(wasm, logits), heapFloats(wasm, x), heapFloats(wasm, dy), rows, cols, samples, heapFloats(wasm, dl));
    return dl;
  };
}

/** Tanh (the IWAE presets' activation) as a vectorised polynomial; other dtypes go to the kernel replaced. */
export function nativeTanh(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') {
      if (original === undefined) throw new Error('Tanh: no wasm kernel to fall back to');
      return original.kernelFunc(args);
    }
    const wasm = asWasm(args.backend);
    const y = wasm.makeOutput(x.shape, 'float32');
    addon.tanh(heapFloats(wasm, x), tf.util.sizeFromShape(x.shape), heapFloats(wasm, y));
    return y;
  };
}
