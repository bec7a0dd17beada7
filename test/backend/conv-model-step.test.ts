import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchNorm } from '../../src/models/batch-norm.js';
import { expectClose, noLeak, seeded, use, type TestBackend } from './helpers.js';

/**
 * A miniature of the conv VAE's path: every fixed kernel, reached through tf.layers as training does, with
 * the models' BatchNorm (fused on native) and a ReLU (its gradient fused on native).
 */
function model(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      new BatchNorm({ momentum: 0.9, epsilon: 1e-5 }),
      // pooling before a leaky ReLU, so windows with negative maxima pass a gradient back
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(2) }),
      new BatchNorm({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.upSampling2d({ size: [2, 2] }),
      tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: init(3) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 5, kernelInitializer: init(4) }),
    ],
  });
}

/** The weight gradients of a training step, then the BatchNorms' moving statistics after three; and the kernels a step ran. */
async function gradients(backend: TestBackend): Promise<Float32Array[] & { kernels?: string[] }> {
  await use(backend);
  const net = model();
  const x = tf.tensor(seeded(4 * 12 * 12, 61, -1, 1), [4, 12, 12, 1]);
  const w = tf.tensor(seeded(4 * 5, 62), [4, 5]);
  const step = () => tf.variableGrads(() => tf.sum(tf.mul(net.apply(x, { training: true }) as tf.Tensor, w)));
  tf.dispose(step()); // the first call builds the layers' weights
  const { grads } = noLeak(() => {
    const out = step();
    const values = net.trainableWeights.map((v) => out.grads[v.originalName]?.dataSync() as Float32Array);
    tf.dispose(out);
    return { grads: values };
  });
  const kernels = (await tf.profile(() => tf.dispose(step()))).kernels.map((k) => k.name); // a third step
  const moving = net.layers.filter((l) => l instanceof BatchNorm).flatMap((l) => l.getWeights().slice(2).map((t) => t.dataSync() as Float32Array));
  net.dispose();
  tf.dispose([x, w]);
  return Object.assign([...grads, ...moving], { kernels });
}

describe('a conv training step', () => {
  it('has the same weight gradients on wasm as on cpu', async () => {
    const cpu = await gradients('cpu');
    const wasm = await gradients('wasm');
    expect(wasm.filter((g) => g !== undefined)).toHaveLength(16); // 4 kernels, 4 biases, 2 x (gamma, beta), then 2 x moving (mean, variance)
    wasm.forEach((g, i) => expectClose(g, cpu[i] as Float32Array, 1e-4));
  });

  it.skipIf(process.env.VAELAB_SKIP_NATIVE === '1')('has the same weight gradients on native (oneDNN) as on cpu', async () => {
    const cpu = await gradients('cpu');
    const native = await gradients('native');
    expect(native.filter((g) => g !== undefined)).toHaveLength(16);
    native.forEach((g, i) => expectClose(g, cpu[i] as Float32Array, 1e-4));
    // the fused BatchNorm and ReLU gradient ran on native, and tfjs's composites on cpu
    for (const k of ['VaelabBatchNormTrain', 'VaelabBatchNormTrainGrad', 'VaelabReluGrad']) expect(native.kernels).toContain(k);
    expect(cpu.kernels!.filter((k) => k.startsWith('Vaelab'))).toEqual([]);
    await use('wasm');
  });
});
