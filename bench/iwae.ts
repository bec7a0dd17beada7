// The IWAE rows of `npm run bench` (alone: `npm run bench -- --only iwae`): the end-of-run estimate at
// K = 1000 on the first 1000 MNIST test images, for the MLP and the conv VAE on native (where it loads),
// timed on freshly initialised models: the passes cost the same whatever the weights.
import * as tf from '@tensorflow/tfjs';
import { ConfigSchema, IWAE_AUTO_BATCH } from '../src/config/schema.js';
import { loadDataset } from '../src/data/datasets.js';
import { iwaeLogWeights } from '../src/eval/iwae.js';
import { buildVae, disposeVae } from '../src/models/registry.js';
import type { VaeSpec } from '../src/models/types.js';

export interface IwaeRow {
  model: string;
  backend: string;
  samples: number;
  images: number;
  seconds: number;
  tensorsLeft: number; // numTensors after the estimate minus before: 0 when every pass disposes its tensors
}

const K = 1000;
const IMAGES = 1000;

export async function iwaeBench(cases: { name: string; spec: VaeSpec }[], backend: string, say: (line: string) => void): Promise<IwaeRow[]> {
  const test = (await loadDataset(ConfigSchema.parse({}).data, { baseDir: process.cwd() })).test;
  const rows: IwaeRow[] = [];
  for (const c of cases) {
    const vae = buildVae(c.spec, 1);
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    await iwaeLogWeights(vae, test, { images: IMAGES, samples: K, batchSize: IWAE_AUTO_BATCH[c.spec.arch], seed: 1 });
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ model: c.name, backend, samples: K, images: IMAGES, seconds, tensorsLeft: tf.memory().numTensors - before });
    disposeVae(vae);
    say(`IWAE K = ${K} on ${IMAGES} test images, ${c.name} on ${backend}: ${seconds.toFixed(1)} s`);
  }
  return rows;
}

export function iwaeRows(rows: IwaeRow[]): string[] {
  return [
    '| IWAE estimate | backend | K x images | seconds | decodes/s | tensors left after it |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.model} | ${r.backend} | ${r.samples} x ${r.images} | ${r.seconds.toFixed(1)} | ${((r.samples * r.images) / r.seconds).toFixed(0)} | ${r.tensorsLeft} |`),
  ];
}
