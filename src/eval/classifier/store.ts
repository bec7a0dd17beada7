import type * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VaelabError } from '../../errors.js';
import { writeJsonAtomic } from '../../run/atomic.js';
import { loadModel, saveModel } from '../../run/checkpoint.js';
import type { ClassifierSpec } from './train.js';

/**
 * A reference classifier on disk: model.json + weights.bin (the tfjs layers format) and manifest.json,
 * which says what it is and how it was made. Every metric computed on its features carries its hash:
 * numbers compare only under the same one.
 */
export const MANIFEST_FORMAT = 1;

export interface ClassifierManifest {
  formatVersion: number;
  dataset: string;
  sha256: string; // of weights.bin
  testAccuracy: number; // on the whole test split
  testImages: number;
  spec: ClassifierSpec;
  command: string; // what retrains it
  backend: string; // where the shipped weights were trained (other backends may differ in the last bits)
}

export function weightsHash(dir: string): string {
  return createHash('sha256').update(readFileSync(join(dir, 'weights.bin'))).digest('hex');
}

export async function saveClassifier(dir: string, model: tf.LayersModel, manifest: Omit<ClassifierManifest, 'formatVersion' | 'sha256'>): Promise<ClassifierManifest> {
  await saveModel(model, dir);
  const full: ClassifierManifest = { formatVersion: MANIFEST_FORMAT, ...manifest, sha256: weightsHash(dir) };
  writeJsonAtomic(join(dir, 'manifest.json'), full);
  return full;
}

export function readManifest(dir: string): ClassifierManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new VaelabError(`${dir} holds no reference classifier: no manifest.json`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ClassifierManifest;
  if (manifest.formatVersion !== MANIFEST_FORMAT) throw new VaelabError(`${path}: format ${manifest.formatVersion}, this vaelab reads ${MANIFEST_FORMAT}`);
  return manifest;
}

/** The classifier and its manifest; weights that are not the ones the manifest names are refused. */
export async function loadClassifier(dir: string): Promise<{ model: tf.LayersModel; manifest: ClassifierManifest }> {
  const manifest = readManifest(dir);
  const hash = weightsHash(dir);
  if (hash !== manifest.sha256) throw new VaelabError(`${join(dir, 'weights.bin')} has SHA-256 ${hash}, the manifest names ${manifest.sha256}: the weights were changed`);
  return { model: await loadModel(dir), manifest };
}
