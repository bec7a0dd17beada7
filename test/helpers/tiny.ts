import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Dataset, Split } from '../../src/data/datasets.js';
import type { VaeSpec } from '../../src/models/types.js';

/** A config for tests: real MNIST, a few hundred images, wasm, a small IWAE estimate, no report. Override what the test needs. */
export function tinyConfig(over: Record<string, unknown> = {}): Config {
  const base = {
    name: 'tiny',
    backend: 'wasm',
    data: { trainLimit: 256, testLimit: 128 },
    model: { hidden: [32], latentDim: 2 },
    train: { epochs: 2, batchSize: 64, evalBatchSize: 64 },
    // the default IWAE 1000 x 1000 costs ~20 s (mlp); this, well under 1 s. Sample quality runs a conv classifier: tests that need it ask
    eval: { iwaeImages: 16, iwaeSamples: 32, qualitySamples: 0 },
    report: { stages: [] },
  };
  const merged = merge(base, over);
  // conv models take no hidden layers: drop the mlp default unless the test asked for it
  const model = merged.model as Record<string, unknown>;
  if (model.arch === 'conv' && !('hidden' in ((over.model as Record<string, unknown> | undefined) ?? {}))) delete model.hidden;
  return parseConfig(merged);
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] = av && typeof av === 'object' && !Array.isArray(av) && v && typeof v === 'object' && !Array.isArray(v)
      ? merge(av as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}

export function tempDir(prefix = 'vaelab-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A synthetic dataset: blurry class-dependent stripes, so a model can learn something in a few steps. */
export function syntheticDataset(trainCount: number, testCount: number): Dataset {
  const split = (count: number, offset: number): Split => {
    const images = new Float32Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = (i + offset) % 10;
      labels[i] = label;
      for (let p = 0; p < 784; p++) images[i * 784 + p] = Math.floor(p / 28) % 10 === label ? 0.9 : 0.05;
    }
    return { images, labels, count };
  };
  return {
    name: 'synthetic',
    source: 'test stripes',
    train: split(trainCount, 0),
    test: split(testCount, 3),
    height: 28,
    width: 28,
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}

/** A model section as a spec for 28x28 images of 10 classes (MNIST's shape), for building a model in a test. */
export const mnistSpec = (model: object): VaeSpec => ({ ...model, imageSize: 784, height: 28, width: 28, numClasses: 10 }) as VaeSpec;

/** The one-sample ELBO's step weights, for calling a family's objective directly. */
export const ELBO_STEP = { reconstructionWeight: 1, beta: 1, objective: 'elbo', samples: 1, freeBits: null } as const;
