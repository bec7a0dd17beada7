import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, gradsOf, noLeak, seeded, size, use } from './helpers.js';

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

// The MLP step's shapes, scaled down: forward x·W, backward dy·Wᵀ and xᵀ·dy; then batched and broadcast ones.
const cases: Case[] = [
  { a: [16, 40], b: [40, 24], transposeA: false, transposeB: false },
  { a: [16, 24], b: [40, 24], transposeA: false, transposeB: true },
  { a: [16, 40], b: [16, 24], transposeA: true, transposeB: false },
  { a: [40, 16], b: [24, 40], transposeA: true, transposeB: true },
  { a: [3, 5, 7], b: [3, 6, 5], transposeA: true, transposeB: true },
  { a: [3, 7, 5], b: [1, 6, 5], transposeA: false, transposeB: true },
  { a: [2, 3, 5, 7], b: [2, 3, 5, 4], transposeA: true, transposeB: false },
];

function matMul(c: Case): Float32Array {
  return noLeak(() =>
    tf.tidy(() => {
      const a = tf.tensor(seeded(size(c.a), 31), c.a);
      const b = tf.tensor(seeded(size(c.b), 32), c.b);
      return tf.matMul(a, b, c.transposeA, c.transposeB).dataSync() as Float32Array;
    }),
  );
}

describe('wasm BatchMatMul with transposes against the cpu backend', () => {
  let cpu: Float32Array[] = [];
  let cpuGrads: Float32Array[][] = [];
  const mlp = (x: tf.Tensor, w: tf.Tensor) => tf.relu(tf.matMul(x, w));
  const mlpInputs = [
    { values: seeded(32 * 50, 33), shape: [32, 50] },
    { values: seeded(50 * 20, 34), shape: [50, 20] },
  ];

  beforeAll(async () => {
    await use('cpu');
    cpu = cases.map(matMul);
    cpuGrads = [gradsOf(mlp, mlpInputs, 35)];
    await use('wasm');
  });

  it.each(cases.map((c, i) => ({ ...c, i })))('a $a, b $b, transposeA $transposeA, transposeB $transposeB', (c) => {
    expectClose(matMul(c), cpu[c.i] as Float32Array, 1e-5);
  });

  it('gives the same gradients through a dense layer', () => {
    const wasm = noLeak(() => gradsOf(mlp, mlpInputs, 35));
    expect(wasm).toHaveLength(2);
    wasm.forEach((g, i) => expectClose(g, cpuGrads[0]?.[i] as Float32Array, 1e-5));
  });
});
