import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, gradsOf, noLeak, seeded, size, use, withOriginalGradient } from './helpers.js';

const EPS = 1e-3;

interface Case {
  x: number[];
  stats: number[]; // shape of mean, variance, scale and offset
}

// tfjs 4.22's tape cannot differentiate a batchNorm without scale or offset, so both are always given.
const cases: Case[] = [
  { x: [4, 5, 6, 3], stats: [3] },
  { x: [4, 5, 6, 3], stats: [1, 1, 1, 3] },
  { x: [8, 5], stats: [5] },
  { x: [2, 3, 4, 2], stats: [2, 3, 4, 2] },
];

function inputsFor(c: Case) {
  const n = size(c.stats);
  const list = [
    { values: seeded(size(c.x), 41, -2, 3), shape: c.x },
    { values: seeded(n, 42), shape: c.stats }, // mean
    { values: seeded(n, 43, 0.2, 2), shape: c.stats }, // variance
    { values: seeded(n, 44, 0.5, 1.5), shape: c.stats }, // scale
    { values: seeded(n, 45), shape: c.stats }, // offset
  ];
  return list;
}

const batchNorm = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) =>
  tf.batchNorm(x, mean, variance, offset, scale, EPS);

/** The five gradients of sum(batchNorm(...) * w) by plain loops, broadcasting the statistics by index. */
function reference(c: Case, w: Float32Array): Float32Array[] {
  const [x, m, v, s] = inputsFor(c).map((i) => i.values) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const statOf = broadcastIndex(c.x, c.stats);
  const [dx, dm, dv, ds, dof] = [size(c.x), ...Array<number>(4).fill(size(c.stats))].map((n) => new Float32Array(n)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  for (let i = 0; i < dx.length; i++) {
    const k = statOf(i);
    const r = 1 / Math.sqrt((v[k] as number) + EPS);
    const scale = s[k] as number;
    const centred = (x[i] as number) - (m[k] as number);
    const g = w[i] as number;
    dx[i] = g * scale * r;
    dm[k] = (dm[k] as number) - g * scale * r;
    dv[k] = (dv[k] as number) - 0.5 * g * scale * centred * r ** 3;
    ds[k] = (ds[k] as number) + g * centred * r;
    dof[k] = (dof[k] as number) + g;
  }
  return [dx, dm, dv, ds, dof];
}

function broadcastIndex(xShape: number[], statShape: number[]): (i: number) => number {
  const lead = xShape.length - statShape.length;
  return (i) => {
    let k = 0;
    let stride = 1;
    for (let axis = xShape.length - 1, rest = i; axis >= 0; axis--) {
      const dim = xShape[axis] as number;
      const coord = rest % dim;
      rest = Math.floor(rest / dim);
      const statDim = axis >= lead ? (statShape[axis - lead] as number) : 1;
      if (statDim > 1) k += coord * stride;
      stride *= statDim;
    }
    return k;
  };
}

describe.each(['wasm', 'cpu'] as const)('FusedBatchNorm gradient on %s', (backend) => {
  beforeAll(() => use(backend));

  it.each(cases)('x $x, statistics $stats, against a loop', (c) => {
    const got = noLeak(() => gradsOf(batchNorm as (...xs: tf.Tensor[]) => tf.Tensor, inputsFor(c), 46));
    const want = reference(c, seeded(size(c.x), 46));
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => expectClose(g, want[i] as Float32Array, 1e-5));
  });

  it("matches tfjs-core's own gradient through tf.moments, as a BatchNormalization layer trains", () => {
    const f = (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return batchNorm(x, mean, variance, scale, offset);
    };
    const inputs = [
      { values: seeded(4 * 6 * 6 * 5, 47, -1, 2), shape: [4, 6, 6, 5] },
      { values: seeded(5, 48, 0.5, 1.5), shape: [5] },
      { values: seeded(5, 49), shape: [5] },
    ];
    const ours = noLeak(() => gradsOf(f, inputs, 50));
    const theirs = withOriginalGradient('FusedBatchNorm', () => gradsOf(f, inputs, 50));
    ours.forEach((g, i) => expectClose(g, theirs[i] as Float32Array, 1e-4));
  });

  it('never tiles the activation', async () => {
    const c = cases[0] as Case;
    const xs = inputsFor(c).map((i) => tf.tensor(i.values, i.shape));
    const f = (...t: tf.Tensor[]) => tf.sum(batchNorm(...(t as Parameters<typeof batchNorm>)));
    const info = await tf.profile(() => tf.grads(f)(xs));
    tf.dispose([...xs, ...(info.result as tf.Tensor[])]);
    expect(info.kernelNames).toContain('FusedBatchNorm');
    expect(info.kernelNames).not.toContain('Tile');
  });
});
