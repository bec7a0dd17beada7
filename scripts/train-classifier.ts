// Trains the reference classifier of a data set from classifiers/<dataset>.yaml.
//   npm run classifier                 trains it into classifiers/<dataset>/ (the shipped weights)
//   npm run classifier -- --check      trains it into a temporary folder and compares with the shipped one
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backend/select.js';
import { loadDataset } from '../src/data/datasets.js';
import { readManifest, saveClassifier } from '../src/eval/classifier/store.js';
import { readClassifierSpec, trainClassifier } from '../src/eval/classifier/train.js';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, dataset: { type: 'string', default: 'mnist' } } });
const file = join('classifiers', `${values.dataset}.yaml`);
let spec;
try {
  spec = readClassifierSpec(file);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const backend = await selectBackend('auto', (line) => console.log(line));
const data = await loadDataset({ dataset: spec.dataset, dir: null, trainLimit: null, testLimit: null, heldOut: 0, shuffle: true, binarize: 'none' }, { baseDir: process.cwd() });
const t0 = performance.now();
const { model, accuracy } = (await trainClassifier(data, spec, (line) => console.log(line)))!; // no signal: never null
const shipped = join('classifiers', spec.dataset);
const out = values.check ? mkdtempSync(join(tmpdir(), 'vaelab-classifier-')) : shipped;
const manifest = await saveClassifier(out, model, {
  dataset: spec.dataset,
  testAccuracy: accuracy,
  testImages: data.test.count,
  spec,
  command: `npm run classifier -- --dataset ${spec.dataset}`,
  backend: backend.name,
});
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(0)} s: test accuracy ${(100 * accuracy).toFixed(2)}%, weights SHA-256 ${manifest.sha256}, in ${out}`);
if (values.check) {
  const ref = readManifest(shipped);
  const same = ref.sha256 === manifest.sha256;
  console.log(same ? 'reproduced the shipped weights bit for bit' : `the weights differ from the shipped ones (${ref.sha256}, trained on ${ref.backend}); test accuracy ${(100 * accuracy).toFixed(2)}% against the manifest's ${(100 * ref.testAccuracy).toFixed(2)}%`);
  process.exit(same || Math.abs(accuracy - ref.testAccuracy) <= 0.002 ? 0 : 1);
}
