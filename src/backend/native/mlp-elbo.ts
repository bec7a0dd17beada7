import type * as tf from '@tensorflow/tfjs';
import { asWasm } from '../kernels/wasm-ops.js';
import type { MlpElboAttrs } from '../fused-kernels.js';
import type { NativeAddon } from './addon.js';
import { heapFloats } from './heap.js';

/** The weights p0, p1, ... of an MlpElbo call, in their order. */
function weights(inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] {
  const out: tf.TensorInfo[] = [];
  for (let i = 0; inputs[`p${i}`] !== undefined; i++) out.push(inputs[`p${i}`]!);
  return out;
}

/** MlpElbo (src/backend/fused-kernels.ts): a one-sample ELBO step's objective and gradients in one addon call. */
export function nativeMlpElbo(addon: NativeAddon): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = asWasm(backend);
    const { x, y, eps } = inputs;
    if (x === undefined || eps === undefined || x.shape.length !== 2 || eps.shape.length !== 2 || eps.shape[0] !== x.shape[0]) {
      throw new Error(`MlpElbo needs x [B, P] and eps [B, D], got ${x?.shape} and ${eps?.shape}`);
    }
    if (y !== undefined && (y.shape.length !== 2 || y.shape[0] !== x.shape[0])) throw new Error(`MlpElbo: y is ${y.shape}, expected [${x.shape[0]}, classes]`);
    const { hidden, activation, beta, reconstructionWeight, freeBits, gradScale } = attrs as unknown as MlpElboAttrs;
    const params = weights(inputs);
    const value = wasm.makeOutput([], 'float32');
    const terms = wasm.makeOutput([freeBits === null ? 3 : 5], 'float32');
    const grads = params.map((p) => wasm.makeOutput(p.shape, 'float32'));
    // views after the last makeOutput: a heap that grows detaches the ones taken before
    const termValues = heapFloats(wasm, terms);
    addon.mlpElbo!(
      heapFloats(wasm, x),
      y === undefined ? null : heapFloats(wasm, y),
      heapFloats(wasm, eps),
      params.map((p) => heapFloats(wasm, p)),
      grads.map((g) => heapFloats(wasm, g)),
      termValues,
      [x.shape[0]!, x.shape[1]!, y === undefined ? 0 : y.shape[1]!, eps.shape[1]!],
      hidden,
      activation === 'relu' ? 0 : 1,
      [beta, reconstructionWeight, freeBits ?? Number.NaN, gradScale],
    );
    heapFloats(wasm, value)[0] = Math.fround(termValues[0]! * gradScale);
    return [value, terms, ...grads];
  };
}
