import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isFixed } from '../../src/backend/kernels/index.js';
import { expectClose, gradsOf, noLeak, seeded, size, use, type TestBackend } from './helpers.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' },
  { x: [2, 8, 7, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: 'same' },
  { x: [2, 9, 8, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: 'valid' },
  // stride 2 'valid' that never reads the last row and column: the filter gradient must be cropped
  { x: [3, 9, 9, 2], filter: [2, 2, 2, 3], strides: [2, 2], pad: 'valid' },
  { x: [2, 9, 11, 2], filter: [5, 3, 2, 3], strides: [1, 2], pad: 'same' },
  { x: [2, 6, 5, 2], filter: [3, 3, 2, 3], strides: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [4, 14, 14, 8], filter: [3, 3, 8, 6], strides: [1, 1], pad: 'same' },
];

function outShape(c: Case): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad).shape);
}

function runKernel(kernel: string, inputs: Record<string, Float32Array>, shapes: Record<string, number[]>, attrs: tf.NamedAttrMap) {
  return noLeak(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v, shapes[k])]));
    const out = tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor;
    const values = out.dataSync() as Float32Array;
    tf.dispose([out, ...Object.values(tensors)]);
    return values;
  });
}

async function onBoth<T>(fn: () => T): Promise<Record<'cpu' | 'wasm', T>> {
  await use('cpu');
  const cpu = fn();
  await use('wasm');
  return { cpu, wasm: fn() };
}

describe('wasm conv gradients against the cpu backend', () => {
  beforeAll(async () => {
    await use('wasm');
    expect(isFixed('Conv2DBackpropFilter', 'wasm')).toBe(true);
    expect(isFixed('Conv2DBackpropInput', 'wasm')).toBe(true);
  });

  it.each(cases)('Conv2DBackpropFilter: $x $filter $strides $pad', async (c) => {
    const x = seeded(size(c.x), 1);
    const dy = seeded(size(outShape(c)), 2);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const got = await onBoth(() => runKernel('Conv2DBackpropFilter', { x, dy }, { x: c.x, dy: outShape(c) }, attrs));
    expectClose(got.wasm, got.cpu, 1e-5);
  });

  it.each(cases)('Conv2DBackpropInput: $x $filter $strides $pad', async (c) => {
    const filter = seeded(size(c.filter), 3);
    const dy = seeded(size(outShape(c)), 4);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
    const got = await onBoth(() => runKernel('Conv2DBackpropInput', { dy, filter }, { dy: outShape(c), filter: c.filter }, attrs));
    expectClose(got.wasm, got.cpu, 1e-5);
  });

  it.each(cases.slice(0, 4))('tf.grads through conv2d: $x $filter $strides $pad', async (c) => {
    const inputs = [
      { values: seeded(size(c.x), 5), shape: c.x },
      { values: seeded(size(c.filter), 6), shape: c.filter },
    ];
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad);
    const got = await onBoth(() => noLeak(() => gradsOf(f as (...xs: tf.Tensor[]) => tf.Tensor, inputs, 7)));
    expectClose(got.wasm[0] as Float32Array, got.cpu[0] as Float32Array, 1e-5);
    expectClose(got.wasm[1] as Float32Array, got.cpu[1] as Float32Array, 1e-5);
  });

  it('rejects NCHW clearly', async () => {
    await use('wasm');
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] };
    expect(() =>
      tf.tidy(() => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.zeros([1, 2, 4, 4]), dy: tf.zeros([1, 2, 4, 4]) }, attrs)),
    ).toThrow(/NHWC/);
  });
});
