import * as tf from '@tensorflow/tfjs';
import { asWasm, free, single, transpose } from './wasm-ops.js';

/**
 * wasm's BatchMatMul with transposeA or transposeB (every backward matmul) falls to a scalar loop at
 * ~2 GFLOP/s, while the plain product runs through XNNPACK at 20-30. Transposing the operand first and
 * multiplying plainly costs one extra copy and is ~10x faster.
 */
export function makeBatchMatMul(original: tf.KernelConfig | undefined): tf.KernelFunc {
  if (original === undefined) throw new Error('wasm backend has no BatchMatMul kernel to route through');
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (a === undefined || b === undefined) throw new Error('BatchMatMul needs inputs a and b');
    if (!transposeA && !transposeB) return original.kernelFunc(args);
    const wasm = asWasm(backend);
    const plainA = transposeA ? transpose(wasm, a, swapLastTwo(a.shape.length)) : a;
    const plainB = transposeB ? transpose(wasm, b, swapLastTwo(b.shape.length)) : b;
    const out = original.kernelFunc({
      inputs: { a: plainA, b: plainB },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    if (transposeA) free(wasm, plainA);
    if (transposeB) free(wasm, plainB);
    return single(out, 'BatchMatMul');
  };
}

function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}
