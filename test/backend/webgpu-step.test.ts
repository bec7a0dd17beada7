import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { batchAt, disposeBatch } from '../../src/data/batch-tensors.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import type { VaeSpec } from '../../src/models/types.js';
import { lossAndGradients, trainableVariables } from '../../src/train/step.js';
import { parseConfig } from '../../src/config/load.js';
import { syntheticDataset } from '../helpers/tiny.js';
import { relError, use } from './helpers.js';
import { webgpuAdapter } from './webgpu-adapter.js';

const adapter = await webgpuAdapter();

const base = { imageSize: 784, height: 28, width: 28, numClasses: 10, init: 'pytorch' } as const;
const SPECS: Record<string, VaeSpec> = {
  'MLP VAE': { ...base, kind: 'vae', arch: 'mlp', hidden: [64], latentDim: 2, activation: 'relu', outputBias: 'zero' },
  'MLP CVAE': { ...base, kind: 'cvae', arch: 'mlp', hidden: [64], latentDim: 2, activation: 'relu', outputBias: 'zero' },
  'conv VAE': { ...base, kind: 'vae', arch: 'conv', latentDim: 2 },
  'conv CVAE': { ...base, kind: 'cvae', arch: 'conv', latentDim: 2 },
};
// the closed-form KL path of one sample, and the sampled path of several (the IWAE bound's too)
const CASES: [string, VaeSpec, number][] = [
  ['MLP VAE', SPECS['MLP VAE']!, 1],
  ['MLP VAE', SPECS['MLP VAE']!, 3],
  ['MLP CVAE', SPECS['MLP CVAE']!, 1],
  ['conv VAE', SPECS['conv VAE']!, 1],
  ['conv CVAE', SPECS['conv CVAE']!, 1],
];
// float32 summed in another order on another device. Measured on lavapipe: the loss within 1.2e-7 and the
// gradients within 4.2e-7 (MLP) and 7.5e-5 (conv, BatchNorm's batch statistics amplify the rounding) of the
// largest; a wrong kernel is off by order 1.
const TOLERANCE = { mlp: 1e-5, conv: 1e-3 } as const;

/** One training step's loss and the gradient of every weight, as the trainer computes them. */
async function step(backend: 'cpu' | 'webgpu', spec: VaeSpec, samples: number): Promise<{ loss: number; grads: Float32Array[]; names: string[] }> {
  await use(backend);
  const data = syntheticDataset(16, 1);
  const vae = buildVae(spec, 7);
  const weights = parseConfig({ name: 'step', loss: { samples } }).loss;
  const batch = batchAt(data.train, 0, 16, spec);
  const variables = trainableVariables(vae);
  const before = tf.memory().numTensors;
  const { value, grads, means } = lossAndGradients(vae, variables, batch, { weights, epsSeed: 11 });
  const out = { loss: (await value.data())[0]!, grads: await Promise.all(variables.map(async (v) => (await grads[v.name]!.data()) as Float32Array)), names: variables.map((v) => v.name) };
  tf.dispose([value, means, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(before);
  disposeBatch(batch);
  disposeVae(vae);
  return out;
}

describe.skipIf(adapter.skip)(`webgpu: one training step against the cpu backend${adapter.skip ? ` (skipped: ${adapter.why})` : ''}`, () => {
  afterAll(async () => use('cpu'));

  for (const [name, spec, samples] of CASES) {
    const tolerance = TOLERANCE[spec.arch];
    it(`${name}, ${samples} z sample(s) per image: the loss and every gradient within ${tolerance} (relative)`, async () => {
      const cpu = await step('cpu', spec, samples);
      const gpu = await step('webgpu', spec, samples);
      expect(tf.getBackend()).toBe('webgpu');
      expect(Math.abs(gpu.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(tolerance);
      expect(gpu.grads).toHaveLength(cpu.grads.length);
      const errors = gpu.grads.map((g, i) => ({ weight: cpu.names[i], error: relError(g, cpu.grads[i]!) }));
      expect(errors.filter((e) => !(e.error < tolerance))).toEqual([]);
    }, 900_000);
  }
});
