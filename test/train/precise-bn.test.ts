import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import type { VaeSpec } from '../../src/models/types.js';
import { encode } from '../../src/models/vae.js';
import { recalibrateBatchNorm } from '../../src/train/precise-bn.js';
import { syntheticDataset } from '../helpers/tiny.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const spec: VaeSpec = { kind: 'cvae', arch: 'conv', latentDim: 2, init: 'pytorch', imageSize: 784, height: 28, width: 28, numClasses: 10 };
const stats = (vae: ReturnType<typeof buildVae>, name: string) =>
  vae.encoder.getLayer(name).getWeights().slice(2).map((w) => Array.from(w.dataSync()));

describe('PreciseBN recalibration before evaluation', () => {
  it('sets population statistics of the training sample, and 0/1 for channels a dead ReLU feeds', async () => {
    const vae = buildVae(spec, 1);
    const data = syntheticDataset(64, 8);
    // Kill unit 5 of the encoder's dense 400: a bias no input can overcome makes its ReLU output 0.
    const dense = vae.encoder.getLayer('enc_dense_1');
    const [kernel, bias] = dense.getWeights();
    const b = bias!.arraySync() as number[];
    b[5] = -1e6;
    dense.setWeights([kernel!, tf.tensor1d(b)]);
    // Running statistics as long training leaves them: live channels ordinary, the dead one collapsed.
    const bn = vae.encoder.getLayer('enc_bn_3');
    const [gamma, beta] = bn.getWeights();
    const variance = new Float32Array(400).fill(0.5);
    variance[5] = 1e-12;
    bn.setWeights([gamma!, beta!, tf.fill([400], 0.2), tf.tensor1d(variance)]);
    const x = tf.tensor2d(data.train.images.subarray(0, 8 * 784), [8, 784]);
    const y = tf.oneHot(tf.tensor1d(Array.from(data.train.labels.subarray(0, 8)), 'int32'), 10).toFloat() as tf.Tensor2D;
    const trainingMu = tf.tidy(() => encode(vae, x, y, true).mu.arraySync());

    const tensors = tf.memory().numTensors;
    const reset = await recalibrateBatchNorm(vae, data.train);
    expect(tf.memory().numTensors).toBe(tensors);

    const [mean, varAfter] = stats(vae, 'enc_bn_3');
    expect(mean![5]).toBe(0);
    expect(varAfter![5]).toBe(1);
    // exactly the channels whose dense output is 0 on every sample image are reset (5 among them)
    const probe = tf.model({ inputs: vae.encoder.inputs, outputs: dense.output as tf.SymbolicTensor });
    const all = tf.tensor2d(data.train.images, [64, 784]);
    const labels = tf.oneHot(tf.tensor1d(Array.from(data.train.labels), 'int32'), 10).toFloat();
    const h = (probe.predict([all, labels]) as tf.Tensor2D).arraySync();
    const silent = Array.from({ length: 400 }, (_, c) => c).filter((c) => h.every((row) => row[c] === 0));
    expect(silent).toContain(5);
    expect(reset).toBeGreaterThanOrEqual(silent.length); // plus any dead channels of the other BatchNorms
    // live channels: the population mean and variance of their input over the sample (computed here in JS)
    for (let c = 0; c < 400; c++) {
      if (silent.includes(c)) continue;
      const col = h.map((row) => row[c]!);
      const m = col.reduce((a, v) => a + v, 0) / col.length;
      const v = col.reduce((a, x) => a + (x - m) ** 2, 0) / col.length;
      expect(mean![c]).toBeCloseTo(m, 3);
      expect(varAfter![c]).toBeCloseTo(v, 3);
    }
    expect(silent.every((c) => mean![c] === 0 && varAfter![c] === 1)).toBe(true);
    tf.dispose([all, labels]);
    // training mode does not read running statistics: its output is the same (the training step above
    // moved them, which is what training does; compare with a second training-mode pass)
    const again = tf.tidy(() => encode(vae, x, y, true).mu.arraySync());
    expect(again.flat().map((v) => v.toFixed(4))).toEqual(trainingMu.flat().map((v) => v.toFixed(4)));
    tf.dispose([x, y]);
    disposeVae(vae);
  });

  it('leaves a model without BatchNorm alone', async () => {
    const vae = buildVae({ ...spec, arch: 'mlp', hidden: [256], activation: 'relu', outputBias: 'zero' }, 1);
    expect(await recalibrateBatchNorm(vae, syntheticDataset(16, 4).train)).toBe(0);
    disposeVae(vae);
  });
});
