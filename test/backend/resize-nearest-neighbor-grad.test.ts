import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, gradsOf, noLeak, relError, seeded, size, use, withOriginalKernel } from './helpers.js';

interface Case {
  batch: number;
  from: number;
  to: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

const cases: Case[] = [
  // the conv decoder's upsampling: 7 -> 14 -> 28, tfjs defaults (what tf.layers.upSampling2d uses)
  { batch: 3, from: 7, to: 14, alignCorners: false, halfPixelCenters: false },
  { batch: 2, from: 14, to: 28, alignCorners: false, halfPixelCenters: false },
  { batch: 3, from: 5, to: 7, alignCorners: true, halfPixelCenters: false },
  { batch: 3, from: 5, to: 7, alignCorners: false, halfPixelCenters: true },
  { batch: 2, from: 6, to: 4, alignCorners: false, halfPixelCenters: false },
];
const depth = 3;

/** dx of sum(resize(x) * dy), by scattering each dy pixel to the pixel the forward pass read. */
function reference(dy: Float32Array, c: Case): Float32Array {
  const source = (i: number) => {
    const aligned = c.alignCorners && c.to > 1;
    const ratio = (aligned ? c.from - 1 : c.from) / (aligned ? c.to - 1 : c.to);
    const frac = c.halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
    return Math.max(0, Math.min(c.from - 1, c.alignCorners ? Math.round(frac) : Math.floor(frac)));
  };
  const dx = new Float32Array(c.batch * c.from * c.from * depth);
  for (let b = 0; b < c.batch; b++)
    for (let y = 0; y < c.to; y++)
      for (let x = 0; x < c.to; x++)
        for (let d = 0; d < depth; d++) {
          const to = ((b * c.from + source(y)) * c.from + source(x)) * depth + d;
          dx[to] = (dx[to] as number) + (dy[((b * c.to + y) * c.to + x) * depth + d] as number);
        }
  return dx;
}

function resizeGrad(c: Case): Float32Array {
  const f = (t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [c.to, c.to], c.alignCorners, c.halfPixelCenters);
  const x = { values: seeded(c.batch * c.from * c.from * depth, 21), shape: [c.batch, c.from, c.from, depth] };
  return noLeak(() => gradsOf(f, [x], 22))[0] as Float32Array;
}

const expected = (c: Case) => reference(seeded(size([c.batch, c.to, c.to, depth]), 22), c);

describe.each(['cpu', 'wasm'] as const)('ResizeNearestNeighborGrad on %s', (backend) => {
  beforeAll(() => use(backend));

  it.each(cases)('batch $batch, $from -> $to, alignCorners $alignCorners, halfPixelCenters $halfPixelCenters', (c) => {
    expectClose(resizeGrad(c), expected(c), 1e-6);
  });

  it('matches through tf.layers.upSampling2d, which resizes by nearest neighbour', () => {
    const layer = tf.layers.upSampling2d({ size: [2, 2] });
    const f = (t: tf.Tensor) => layer.apply(t) as tf.Tensor;
    const x = { values: seeded(3 * 7 * 7 * depth, 23), shape: [3, 7, 7, depth] };
    const got = noLeak(() => gradsOf(f, [x], 22))[0] as Float32Array;
    expectClose(got, expected(cases[0] as Case), 1e-6);
  });
});

describe('the ResizeNearestNeighborGrad bugs in tfjs 4.22, without the fix', () => {
  it('cpu: wrong for batch > 1', async () => {
    await use('cpu');
    const c = cases[0] as Case;
    const original = withOriginalKernel('ResizeNearestNeighborGrad', 'cpu', () => resizeGrad(c));
    expect(relError(original, expected(c))).toBeGreaterThan(0.1);
  });

  it('wasm: right for the decoder, wrong with halfPixelCenters', async () => {
    await use('wasm');
    const [decoder, halfPixel] = [cases[0] as Case, cases[3] as Case];
    expectClose(withOriginalKernel('ResizeNearestNeighborGrad', 'wasm', () => resizeGrad(decoder)), expected(decoder), 1e-6);
    const original = withOriginalKernel('ResizeNearestNeighborGrad', 'wasm', () => resizeGrad(halfPixel));
    expect(relError(original, expected(halfPixel))).toBeGreaterThan(0.1);
  });
});
