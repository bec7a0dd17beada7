import * as tf from '@tensorflow/tfjs';
import { asWasm } from '../kernels/wasm-ops.js';
import type { NativeAddon } from './addon.js';
import { heapFloats } from './heap.js';

const size = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/**
 * The product's shapes: [...batch, m, k] x [...batch, k, n] (after transposes), the batch of one side
 * broadcast when it is all ones; null for other broadcasts, which the replaced kernel handles.
 */
function plan(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean) {
  if (a.shape.length < 2 || b.shape.length < 2) throw new Error(`BatchMatMul expects rank >= 2, got ${a.shape} and ${b.shape}`);
  const [a1, a2] = a.shape.slice(-2) as [number, number];
  const [b1, b2] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [a2, a1] : [a1, a2];
  const [kb, n] = transposeB ? [b2, b1] : [b1, b2];
  if (k !== kb) throw new Error(`BatchMatMul: inner dimensions differ (${a.shape}${transposeA ? 'ᵀ' : ''} x ${b.shape}${transposeB ? 'ᵀ' : ''})`);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const [ba, bb] = [size(batchA), size(batchB)];
  if (ba !== 1 && bb !== 1 && !tf.util.arraysEqual(batchA, batchB)) return null;
  const batchShape = ba >= bb ? (batchA.length >= batchB.length || bb === 1 ? batchA : batchB) : batchB;
  return { batch: Math.max(ba, bb), outShape: [...batchShape, m, n], m, n, k, aStride: ba === 1 ? 0 : m * k, bStride: bb === 1 ? 0 : k * n };
}

function product(addon: NativeAddon, backend: {}, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): tf.TensorInfo | null {
  const wasm = asWasm(backend);
  const p = plan(a, b, transposeA, transposeB);
  if (p === null) return null;
  const out = wasm.makeOutput(p.outShape, 'float32');
  if (p.batch * p.m * p.n === 0) return out;
  addon.sgemm(transposeA, transposeB, p.batch, p.m, p.n, p.k, heapFloats(wasm, a), p.aStride, heapFloats(wasm, b), p.bStride, heapFloats(wasm, out));
  return out;
}

/** BatchMatMul on oneDNN's sgemm, every transpose combination. */
export function nativeBatchMatMul(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined) throw new Error('BatchMatMul needs inputs a and b');
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const out = product(addon, args.backend, a, b, transposeA, transposeB);
    if (out !== null) return out;
    if (original === undefined) throw new Error('BatchMatMul: this broadcast is not supported natively and wasm has no kernel');
    return original.kernelFunc(args);
  };
}

/**
 * _FusedMatMul (a dense layer's product, bias and activation in one) on oneDNN's sgemm for the cases our models
 * make: a rank-1 bias over the last axis and a linear or ReLU activation; anything else goes to wasm's own.
 */
export function nativeFusedMatMul(addon: NativeAddon, original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b, bias, preluActivationWeights } = inputs;
    if (a === undefined || b === undefined) throw new Error('_FusedMatMul needs inputs a and b');
    const { transposeA, transposeB, activation } = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation: string };
    const supported = (activation === 'linear' || activation === 'relu') && preluActivationWeights === undefined;
    const out = supported ? product(addon, backend, a, b, transposeA, transposeB) : null;
    if (out === null || (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== out.shape.at(-1)))) {
      if (out !== null) asWasm(backend).disposeData(out.dataId);
      if (original === undefined) throw new Error(`_FusedMatMul: no wasm kernel for activation ${activation}`);
      return original.kernelFunc(args);
    }
    const wasm = asWasm(backend);
    const n = out.shape.at(-1)!;
    if (bias !== undefined || activation === 'relu') {
      addon.biasActivation(heapFloats(wasm, out), size(out.shape) / n, n, bias === undefined ? null : heapFloats(wasm, bias), activation === 'relu');
    }
    return out;
  };
}

/** DenseBiasRelu and DenseBias (src/backend/fused-kernels.ts): _FusedMatMul of x and kernel with a bias, and ReLU or none. */
export function nativeDenseBias(addon: NativeAddon, activation: 'relu' | 'linear'): tf.KernelFunc {
  const fused = nativeFusedMatMul(addon, undefined);
  return ({ inputs, backend }) => fused({ inputs: { a: inputs.x!, b: inputs.kernel!, bias: inputs.bias! }, backend, attrs: { transposeA: false, transposeB: false, activation } });
}
