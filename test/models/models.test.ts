import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import type { VaeSpec } from '../../src/models/types.js';
import { decodeLogits, encode, reconstruct, samplePrior } from '../../src/models/vae.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const spec = (over: Partial<VaeSpec>): VaeSpec => ({
  kind: 'vae', arch: 'mlp', hidden: [16], latentDim: 3, init: 'pytorch', activation: 'relu', outputBias: 'zero', imageSize: 784, height: 28, width: 28, numClasses: 10, ...over,
});

describe.each([
  ['mlp', 'vae'],
  ['mlp', 'cvae'],
  ['conv', 'vae'],
  ['conv', 'cvae'],
] as const)('%s %s', (arch, kind) => {
  it('maps [B,784] (+label) to mu, logVar [B,latentDim] and logits [B,784] without leaking', () => {
    const vae = buildVae(spec({ arch, kind }), 7);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomUniform([5, 784]) as tf.Tensor2D;
      const y = kind === 'cvae' ? (tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4], 'int32'), 10).toFloat() as tf.Tensor2D) : null;
      const p = encode(vae, x, y);
      expect(p.mu.shape).toEqual([5, 3]);
      expect(p.logVar.shape).toEqual([5, 3]);
      expect(decodeLogits(vae, p.mu, y).shape).toEqual([5, 784]);
      const r = reconstruct(vae, x, y).dataSync();
      expect(Math.min(...r)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...r)).toBeLessThanOrEqual(1);
      expect(samplePrior(vae, 4, 1, y?.slice([0, 0], [4, 10]) ?? null).shape).toEqual([4, 784]);
    });
    expect(tf.memory().numTensors).toBe(before);
    disposeVae(vae);
  });

  it('the label changes a cvae decoding, and the same seed rebuilds the same weights', () => {
    const a = buildVae(spec({ arch, kind }), 3);
    const b = buildVae(spec({ arch, kind }), 3);
    const wa = a.decoder.getWeights().map((w) => w.dataSync());
    const wb = b.decoder.getWeights().map((w) => w.dataSync());
    expect(wa).toEqual(wb);
    if (kind === 'cvae') {
      const diff = tf.tidy(() => {
        const z = tf.zeros([1, 3]) as tf.Tensor2D;
        const y0 = tf.oneHot(tf.tensor1d([0], 'int32'), 10).toFloat() as tf.Tensor2D;
        const y1 = tf.oneHot(tf.tensor1d([1], 'int32'), 10).toFloat() as tf.Tensor2D;
        return tf.max(tf.abs(tf.sub(decodeLogits(a, z, y0), decodeLogits(a, z, y1)))).dataSync()[0]!;
      });
      expect(diff).toBeGreaterThan(1e-4);
    }
    disposeVae(a);
    disposeVae(b);
  });
});

describe('conv BatchNorm', () => {
  it('moves its running statistics in a training pass and not in an evaluation pass', () => {
    const vae = buildVae(spec({ arch: 'conv' }), 1);
    const stats = () => vae.encoder.getLayer('enc_bn_1').getWeights().slice(2).map((w) => Array.from(w.dataSync()));
    const x = tf.randomUniform([8, 784], 0, 1, 'float32', 1) as tf.Tensor2D;
    const start = stats();
    tf.tidy(() => {
      encode(vae, x, null, false);
    });
    expect(stats()).toEqual(start);
    tf.tidy(() => {
      encode(vae, x, null, true);
    });
    expect(stats()).not.toEqual(start);
    x.dispose();
    disposeVae(vae);
  });
});

describe('model.init', () => {
  it("pytorch draws kernels from U(±1/sqrt(fanIn)); glorot from Keras's U(±sqrt(6 / (fanIn + fanOut)))", () => {
    const range = (init: 'pytorch' | 'glorot') => {
      const vae = buildVae(spec({ hidden: [16], init }), 5);
      const kernel = vae.encoder.getLayer('enc_dense_1').getWeights()[0]!.dataSync();
      let max = 0;
      for (const v of kernel) max = Math.max(max, Math.abs(v));
      disposeVae(vae);
      return max;
    };
    const [torch, glorot] = [range('pytorch'), range('glorot')];
    expect(torch).toBeLessThanOrEqual(1 / Math.sqrt(784));
    expect(torch).toBeGreaterThan(0.95 / Math.sqrt(784)); // 12,544 draws reach the bound
    expect(glorot).toBeLessThanOrEqual(Math.sqrt(6 / (784 + 16)));
    expect(glorot).toBeGreaterThan(0.95 * Math.sqrt(6 / (784 + 16)));
  });
});
