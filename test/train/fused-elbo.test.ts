import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { MLP_ELBO } from '../../src/backend/fused-kernels.js';
import { gaussianKlPerDim } from '../../src/models/likelihood.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import type { VaeSpec } from '../../src/models/types.js';
import { encode } from '../../src/models/vae.js';
import type { StepLoss } from '../../src/config/kl-schedule.js';
import { lossAndGradients, trainableVariables, type StepOptions } from '../../src/train/step.js';
import { expectClose, noLeak, seeded, use, type TestBackend } from '../backend/helpers.js';

// CI installs oneDNN; VAELAB_SKIP_NATIVE=1 skips these where the addon cannot be built
const skip = process.env.VAELAB_SKIP_NATIVE === '1';

const base = { init: 'pytorch', imageSize: 784, height: 28, width: 28, numClasses: 10, outputBias: 'zero' } as const;
const elbo: StepLoss = { objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 1, freeBits: null };

interface Case {
  spec: VaeSpec;
  rows: number;
  weights: StepLoss;
  reduction?: 'mean' | 'sum';
  freeBitsBetween?: true; // a floor with some latent dimensions above it and some below
}

const CASES: Record<string, Case> = {
  'VAE, two ReLU layers, odd batch': { spec: { ...base, kind: 'vae', arch: 'mlp', hidden: [64, 32], activation: 'relu', latentDim: 2 }, rows: 7, weights: elbo },
  'CVAE 784-256-3, batch 1': { spec: { ...base, kind: 'cvae', arch: 'mlp', hidden: [256], activation: 'relu', latentDim: 3 }, rows: 1, weights: elbo },
  'VAE tanh 784-50-5, beta and reconstruction weights, reduction sum': {
    spec: { ...base, kind: 'vae', arch: 'mlp', hidden: [50], activation: 'tanh', latentDim: 5 },
    rows: 9,
    weights: { ...elbo, beta: 0.3, reconstructionWeight: 2 },
    reduction: 'sum',
  },
  'CVAE tanh 784-40-30-6 with free bits between its dimensions': {
    spec: { ...base, kind: 'cvae', arch: 'mlp', hidden: [40, 30], activation: 'tanh', latentDim: 6 },
    rows: 12,
    weights: { ...elbo, beta: 4 },
    freeBitsBetween: true,
  },
};

interface Result {
  values: Float32Array[]; // value, the term means, then every gradient in variable order
  kernels: string[];
}

async function step(c: Case, backend: TestBackend): Promise<Result> {
  await use(backend);
  const vae = buildVae(c.spec, 11);
  const variables = trainableVariables(vae);
  // images with exact zeros and ones, as MNIST's are, and grey values between
  const x = tf.tidy(() => tf.clipByValue(tf.tensor2d(seeded(c.rows * 784, 5, -0.5, 1.5), [c.rows, 784]), 0, 1) as tf.Tensor2D);
  const y = c.spec.kind === 'cvae' ? (tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: c.rows }, (_, i) => (i * 7) % 10), 'int32'), 10).toFloat()) as tf.Tensor2D) : null;
  const batch = { x, y, size: c.rows };
  let weights = c.weights;
  if (c.freeBitsBetween) {
    // the floor halfway between the two middle dimensions' mean KL at these weights
    const perDim = tf.tidy(() => {
      const p = encode(vae, x, y, true);
      return Array.from(tf.mean(gaussianKlPerDim(p.mu, p.logVar), 0).dataSync()).sort((a, b) => a - b);
    });
    const mid = perDim.length / 2;
    weights = { ...weights, freeBits: (perDim[mid - 1]! + perDim[mid]!) / 2 };
    expect(perDim[mid]! - perDim[mid - 1]!).toBeGreaterThan(1e-4); // the floor is not a tie
  }
  const options: StepOptions = { weights, epsSeed: 3, reduction: c.reduction ?? 'mean' };
  const run = () => {
    const { value, grads, means } = lossAndGradients(vae, variables, batch, options);
    const values = [value.dataSync() as Float32Array, means.dataSync() as Float32Array, ...variables.map((v) => grads[v.name]!.dataSync() as Float32Array)];
    tf.dispose([value, means, grads]);
    return values;
  };
  run();
  const values = noLeak(run);
  const profile = await tf.profile(() => void run());
  disposeVae(vae);
  tf.dispose(y === null ? [x] : [x, y]);
  return { values, kernels: profile.kernels.map((k) => k.name) };
}

describe.skipIf(skip)('the one-sample ELBO step of an MLP as one native kernel (MlpElbo)', () => {
  afterAll(async () => use('wasm'));

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: the objective, its terms and every gradient are the cpu backend's`, async () => {
      const fused = await step(c, 'native');
      expect(fused.kernels).toContain(MLP_ELBO);
      expect(fused.kernels.length).toBeLessThanOrEqual(2); // the step is the one kernel (and nothing tfjs dispatches per layer)
      const cpu = await step(c, 'cpu');
      expect(cpu.kernels).not.toContain(MLP_ELBO);
      expect(fused.values).toHaveLength(cpu.values.length);
      fused.values.forEach((v, i) => expectClose(v, cpu.values[i]!, i < 2 ? 2e-6 : 2e-5));
      if (c.freeBitsBetween) {
        const means = fused.values[1]!;
        expect(means).toHaveLength(5);
        expect(means[4]).toBe(c.spec.latentDim / 2); // atFloor: half the dimensions under the floor
      }
    });
  }

  it('a conv model, a step with more than one sample, and plain wasm take tfjs\'s own way', async () => {
    const conv = await step({ spec: { ...base, kind: 'vae', arch: 'conv', latentDim: 2 }, rows: 2, weights: elbo }, 'native');
    expect(conv.kernels).not.toContain(MLP_ELBO);
    const mlp: VaeSpec = { ...base, kind: 'vae', arch: 'mlp', hidden: [16], activation: 'relu', latentDim: 2 };
    const sampled = await step({ spec: mlp, rows: 3, weights: { ...elbo, samples: 2 } }, 'native');
    expect(sampled.kernels).not.toContain(MLP_ELBO);
    const wasm = await step({ spec: mlp, rows: 3, weights: elbo }, 'wasm');
    expect(tf.getKernel(MLP_ELBO, 'wasm')).toBeUndefined();
    expect(wasm.kernels).not.toContain(MLP_ELBO);
    expect(wasm.kernels.length).toBeGreaterThan(20);
  });
});
