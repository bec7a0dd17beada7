import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, gradsOf, noLeak, relError, seeded, size, use, withOriginalKernel } from './helpers.js';

interface Case {
  x: [number, number, number, number];
  filter: number;
  stride: number;
  pad: 'same' | 'valid';
}

const cases: Case[] = [
  { x: [2, 4, 4, 3], filter: 2, stride: 2, pad: 'valid' },
  { x: [2, 7, 6, 2], filter: 3, stride: 2, pad: 'same' },
  { x: [1, 5, 5, 4], filter: 3, stride: 1, pad: 'same' },
  { x: [3, 8, 8, 5], filter: 2, stride: 2, pad: 'same' },
];

/** dx of sum(maxPool(x) * dy) by a plain loop: each window's dy goes to its first maximum. */
function reference(x: Float32Array, dy: Float32Array, c: Case): Float32Array {
  const [batch, h, w, depth] = c.x;
  const info = tf.backend_util.computePool2DInfo(c.x, c.filter, c.stride, 1, c.pad);
  const dx = new Float32Array(x.length);
  const at = (b: number, i: number, j: number, d: number) => ((b * h + i) * w + j) * depth + d;
  for (let b = 0; b < batch; b++)
    for (let oi = 0; oi < info.outHeight; oi++)
      for (let oj = 0; oj < info.outWidth; oj++)
        for (let d = 0; d < depth; d++) {
          let best = -1;
          for (let i = oi * c.stride - info.padInfo.top; i < oi * c.stride - info.padInfo.top + c.filter; i++)
            for (let j = oj * c.stride - info.padInfo.left; j < oj * c.stride - info.padInfo.left + c.filter; j++) {
              if (i < 0 || i >= h || j < 0 || j >= w) continue;
              if (best < 0 || (x[at(b, i, j, d)] as number) > (x[best] as number)) best = at(b, i, j, d);
            }
          dx[best] = (dx[best] as number) + (dy[((b * info.outHeight + oi) * info.outWidth + oj) * depth + d] as number);
        }
  return dx;
}

function maxPoolGrad(x: Float32Array, c: Case, seed: number): Float32Array {
  const f = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, c.filter, c.stride, c.pad);
  return noLeak(() => gradsOf(f, [{ values: x, shape: c.x }], seed))[0] as Float32Array;
}

function weightsFor(c: Case, seed: number): Float32Array {
  const out = tf.tidy(() => tf.maxPool(tf.zeros(c.x) as tf.Tensor4D, c.filter, c.stride, c.pad).shape);
  return seeded(size(out), seed);
}

const inputs = {
  mixed: (c: Case) => seeded(size(c.x), 11),
  negative: (c: Case) => seeded(size(c.x), 12, -9, -1),
  // small integers make ties common, so the first-maximum rule is exercised
  ties: (c: Case) => seeded(size(c.x), 13, -3, 3).map(Math.round),
};

describe.each(['wasm', 'cpu'] as const)('MaxPoolGrad on %s', (backend) => {
  beforeAll(() => use(backend));

  for (const [kind, make] of Object.entries(inputs)) {
    it.each(cases)(`${kind} inputs: $x, filter $filter, stride $stride, $pad`, (c) => {
      const x = make(c);
      expectClose(maxPoolGrad(x, c, 14), reference(x, weightsFor(c, 14), c), 1e-6);
    });
  }
});

describe('the wasm MaxPoolGrad bug', () => {
  beforeAll(() => use('wasm'));

  it('is present in tfjs-wasm 4.22 without the fix, for negative maxima', () => {
    const c = cases[0] as Case;
    const x = inputs.negative(c);
    const original = withOriginalKernel('MaxPoolGrad', 'wasm', () => maxPoolGrad(x, c, 14));
    expect(relError(original, reference(x, weightsFor(c, 14), c))).toBeGreaterThan(0.1);
  });
});
