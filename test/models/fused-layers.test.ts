import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BIAS_RELU_GRAD, DENSE_BIAS, MLP_ELBO } from '../../src/backend/fused-kernels.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import type { VaeSpec } from '../../src/models/types.js';
import { lossAndGradients, trainableVariables } from '../../src/train/step.js';
import { noLeak, seeded, use } from '../backend/helpers.js';

// CI installs oneDNN; VAELAB_SKIP_NATIVE=1 skips these where the addon cannot be built
const skip = process.env.VAELAB_SKIP_NATIVE === '1';

const base = { latentDim: 2, init: 'pytorch', imageSize: 784, height: 28, width: 28, numClasses: 10 } as const;
const SPECS: Record<string, VaeSpec> = {
  'conv VAE': { ...base, kind: 'vae', arch: 'conv' },
  'conv CVAE': { ...base, kind: 'cvae', arch: 'conv' },
  'MLP VAE (two ReLU layers)': { ...base, kind: 'vae', arch: 'mlp', hidden: [64, 32], activation: 'relu', outputBias: 'zero' },
};

interface Step {
  values: Float32Array[]; // the loss, then every gradient in variable order
  kernels: string[];
}

/** One training step's loss and gradients on native, and the kernels it ran, layer by layer (MlpElbo, the whole step as one kernel, off). */
async function step(spec: VaeSpec): Promise<Step> {
  const whole = tf.getKernel(MLP_ELBO, 'wasm');
  if (whole !== undefined) tf.unregisterKernel(MLP_ELBO, 'wasm');
  try {
    return await layered(spec);
  } finally {
    if (whole !== undefined) tf.registerKernel(whole);
  }
}

async function layered(spec: VaeSpec): Promise<Step> {
  const vae = buildVae(spec, 7);
  const variables = trainableVariables(vae);
  const rows = 6;
  const x = tf.tensor2d(seeded(rows * 784, 5, 0, 1), [rows, 784]);
  const y = spec.kind === 'cvae' ? tf.oneHot(tf.tensor1d([0, 3, 9, 1, 1, 4], 'int32'), 10).toFloat() : null;
  const batch = { x, y: y as tf.Tensor2D | null, size: rows };
  const options = { weights: { objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 1, freeBits: null }, epsSeed: 3 } as const;
  const run = () => {
    const { value, grads, means } = lossAndGradients(vae, variables, batch as never, options);
    const values = [value.dataSync() as Float32Array, ...variables.map((v) => grads[v.name]!.dataSync() as Float32Array)];
    tf.dispose([value, means, grads]);
    return values;
  };
  run(); // builds every kernel's primitives
  const values = noLeak(run);
  const profile = await tf.profile(() => void run());
  disposeVae(vae);
  tf.dispose(y === null ? [x] : [x, y]);
  return { values, kernels: profile.kernels.map((k) => k.name) };
}

/** The same step with the fused kernel unregistered: the layers fall back to tfjs's own training path. */
async function stockStep(spec: VaeSpec): Promise<Step> {
  const fused = tf.getKernel(BIAS_RELU_GRAD, 'wasm')!;
  tf.unregisterKernel(BIAS_RELU_GRAD, 'wasm');
  try {
    return await step(spec);
  } finally {
    tf.registerKernel(fused);
  }
}

describe.skipIf(skip)('ReLU conv and dense layers, and linear dense ones, trained on the fused kernels (native)', () => {
  afterAll(async () => use('wasm'));

  for (const [name, spec] of Object.entries(SPECS)) {
    it(`${name}: the loss and every gradient are tfjs's own training path's to the bit, in fewer kernels`, async () => {
      await use('native');
      expect(tf.getKernel(BIAS_RELU_GRAD, 'wasm')).toBeDefined();
      const fused = await step(spec);
      const stock = await stockStep(spec);
      expect(fused.values).toHaveLength(stock.values.length);
      fused.values.forEach((v, i) => expect(Array.from(v), `value ${i}`).toEqual(Array.from(stock.values[i]!)));
      // every ReLU layer's Add, Relu and ReluGrad are gone, one BiasReluGrad each in their place
      const count = (s: Step, k: string) => s.kernels.filter((n) => n === k).length;
      const reluLayers = count(stock, 'Relu');
      expect(reluLayers).toBeGreaterThanOrEqual(2);
      expect(count(fused, 'Relu')).toBe(0);
      expect(count(fused, 'VaelabReluGrad')).toBe(0);
      expect(count(fused, BIAS_RELU_GRAD)).toBe(reluLayers);
      // and the linear dense layers (the encoder's mean and log-variance at least) run as one kernel, not tfjs's fused op
      expect(count(fused, DENSE_BIAS)).toBeGreaterThanOrEqual(2);
      expect(count(fused, '_FusedMatMul')).toBe(0);
      expect(fused.kernels.length).toBeLessThan(stock.kernels.length - 2 * reluLayers);
    });
  }

  it('on wasm, without the fused kernels, the layers run tfjs-layers\' own code', async () => {
    await use('wasm');
    expect(tf.getKernel(BIAS_RELU_GRAD, 'wasm')).toBeUndefined();
    const wasm = await step(SPECS['conv VAE']!);
    expect(wasm.kernels).not.toContain(BIAS_RELU_GRAD);
    expect(wasm.kernels).toContain('Relu');
  });
});
