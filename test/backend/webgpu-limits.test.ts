import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDeviceHealthy, storageBindingLimit } from '../../src/backend/webgpu.js';
import { VaelabError } from '../../src/errors.js';
import { elboTerms } from '../../src/eval/elbo.js';
import { iwaeLogWeights } from '../../src/eval/iwae.js';
import { rowsPerPass } from '../../src/models/pass-rows.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import type { VaeSpec } from '../../src/models/types.js';
import { syntheticDataset } from '../helpers/tiny.js';
import { relError, use } from './helpers.js';
import { webgpuAdapter } from './webgpu-adapter.js';

const adapter = await webgpuAdapter();
const conv: VaeSpec = { imageSize: 784, height: 28, width: 28, numClasses: 10, init: 'pytorch', kind: 'cvae', arch: 'conv', latentDim: 2 };
// 700 conv images hold [700, 28, 28, 64] floats in one layer: 140 MB, past lavapipe's 128 MiB binding limit
const IMAGES = 700;

async function evaluateOn(backend: 'wasm' | 'webgpu') {
  await use(backend);
  const vae = buildVae(conv, 3);
  const data = syntheticDataset(8, IMAGES);
  const terms = await elboTerms(vae, data.test, { batchSize: IMAGES, seed: 5 });
  const logW = await iwaeLogWeights(vae, data.test, { images: 40, samples: 20, batchSize: 800, seed: 5 });
  const rows = rowsPerPass(vae, IMAGES);
  disposeVae(vae);
  return { terms, logW: logW!, rows };
}

describe.skipIf(adapter.skip)(`webgpu within the device's limits${adapter.skip ? ` (skipped: ${adapter.why})` : ''}`, () => {
  afterAll(async () => use('cpu'));

  it('evaluates a conv batch too large to bind in passes that fit, to the numbers of wasm', async () => {
    const wasm = await evaluateOn('wasm');
    expect(wasm.rows).toBe(IMAGES); // no limit off webgpu
    const gpu = await evaluateOn('webgpu');
    expect(storageBindingLimit()).toBeLessThan(IMAGES * 28 * 28 * 64 * 4);
    expect(gpu.rows).toBeLessThan(IMAGES);
    expect(gpu.rows * 28 * 28 * 64 * 4).toBeLessThanOrEqual(storageBindingLimit());
    expect(relError(gpu.terms.recon, wasm.terms.recon)).toBeLessThan(1e-4);
    expect(relError(gpu.terms.kl, wasm.terms.kl)).toBeLessThan(1e-4);
    expect(relError(gpu.logW, wasm.logW)).toBeLessThan(1e-4);
  }, 900_000);

  it('fails loudly, naming the reason, when the device rejects a kernel', async () => {
    await use('webgpu');
    const big = tf.tidy(() => tf.sum(tf.relu(tf.ones([IMAGES, 28, 28, 64]))));
    await big.data();
    big.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    let error: unknown;
    try {
      assertDeviceHealthy('a test pass');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(VaelabError);
    expect((error as Error).message).toMatch(/^a test pass: the webgpu device rejected a kernel \(.*maximum storage buffer binding size.*\); .*lower train\.batchSize/);
    expect(() => assertDeviceHealthy('again')).not.toThrow(); // reported once
  }, 900_000);
});
