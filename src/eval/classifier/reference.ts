import type * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import { loadDataset, type Dataset } from '../../data/datasets.js';
import { acquireLock } from '../../run/lock.js';
import { loadClassifier, saveClassifier, type ClassifierManifest } from './store.js';
import { readClassifierSpec, trainClassifier } from './train.js';

/** classifiers/ of the package: the shipped weights and the specs that train them. */
export const CLASSIFIERS = join(import.meta.dirname, '..', '..', '..', 'classifiers');

/** The data sets whose classifier ships with vaelab; the others get one trained on first use. */
const SHIPPED: Partial<Record<Config['data']['dataset'], string>> = { mnist: 'mnist' };

const FIRST_USE_WAIT_MS = 6 * 3600_000; // a second run on the same data waits for the first one's training

export interface ReferenceClassifier {
  model: tf.LayersModel;
  manifest: ClassifierManifest;
  dir: string;
}

/**
 * The reference classifier of a run's data set: the shipped one of MNIST, or for another data set one
 * trained on first use (from classifiers/<dataset>.yaml, or mnist.yaml's settings where there is none) on the
 * whole data set and cached in `cacheRoot`/<dataset>-<hash of the images and labels>/, where every later run
 * on the same data finds it. Null when `signal` aborts its training.
 */
export async function referenceClassifier(
  data: Config['data'],
  cacheRoot: string,
  { baseDir, backend, log, signal }: { baseDir: string; backend: string; log: (line: string) => void; signal?: AbortSignal | undefined },
): Promise<ReferenceClassifier | null> {
  const shipped = SHIPPED[data.dataset];
  if (shipped !== undefined) return { ...(await loadClassifier(join(CLASSIFIERS, shipped))), dir: join(CLASSIFIERS, shipped) };
  const full = await loadDataset({ ...data, trainLimit: null, testLimit: null, heldOut: 0 }, { baseDir });
  const dir = join(cacheRoot, `${data.dataset}-${dataHash(full).slice(0, 16)}`);
  if (existsSync(join(dir, 'manifest.json'))) return { ...(await loadClassifier(dir)), dir };
  mkdirSync(cacheRoot, { recursive: true });
  const lock = await acquireLock(`${dir}.lock`, `the reference classifier of ${data.dataset}`, FIRST_USE_WAIT_MS);
  try {
    if (!existsSync(join(dir, 'manifest.json'))) {
      const trained = await trainAndSave(full, data.dataset, dir, { backend, log, signal });
      if (!trained) return null;
    }
  } finally {
    lock.release();
  }
  return { ...(await loadClassifier(dir)), dir };
}

/** Trains into a fresh folder beside `dir` and renames it into place, so a kill leaves no half-written classifier. */
async function trainAndSave(full: Dataset, dataset: Config['data']['dataset'], dir: string, { backend, log, signal }: { backend: string; log: (line: string) => void; signal: AbortSignal | undefined }): Promise<boolean> {
  const spec = { ...firstUseSpec(dataset), dataset };
  log(`sample quality: no reference classifier of ${dataset} (${full.train.count} training images) yet; training one (${spec.epochs} epochs), cached in ${dir} for later runs`);
  const t0 = performance.now();
  const trained = await trainClassifier(full, spec, log, signal);
  if (trained === null) return false;
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const manifest = await saveClassifier(tmp, trained.model, {
      dataset,
      testAccuracy: trained.accuracy,
      testImages: full.test.count,
      spec,
      command: `trained on first use by a run on this data set (classifiers/${existsSync(join(CLASSIFIERS, `${dataset}.yaml`)) ? dataset : 'mnist'}.yaml)`,
      backend,
    });
    renameSync(tmp, dir);
    log(`sample quality: classifier of ${dataset} trained in ${((performance.now() - t0) / 1000).toFixed(0)} s, test accuracy ${(100 * manifest.testAccuracy).toFixed(2)}%`);
  } finally {
    trained.model.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
  return true;
}

function firstUseSpec(dataset: string) {
  const own = join(CLASSIFIERS, `${dataset}.yaml`);
  return readClassifierSpec(existsSync(own) ? own : join(CLASSIFIERS, 'mnist.yaml'));
}

/** SHA-256 of the whole data set's pixels and labels: the same files give the same classifier folder. */
function dataHash(d: Dataset): string {
  const h = createHash('sha256');
  for (const s of [d.train, d.test]) {
    h.update(new Uint8Array(s.images.buffer, s.images.byteOffset, s.images.byteLength));
    h.update(s.labels);
  }
  return h.digest('hex');
}
