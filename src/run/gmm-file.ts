import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomic.js';
import { readVersionedJson } from './json-file.js';

/**
 * gmm.json: the Gaussian mixture fitted to the training set's posterior means at the end of a run with
 * eval.sampler gmm (ex-post density estimation, Ghosh et al. 2020). The report decodes draws from it beside
 * draws from the prior; metrics.json holds the sample quality of both.
 */
export const GMM_FORMAT = 1;

export interface ExPostMixture {
  formatVersion: number;
  components: number;
  seed: number;
  images: number; // training means it was fitted on
  logLikelihood: number; // mean per training mean, nats
  iterations: number;
  converged: boolean;
  seconds: number;
  mixture: { weights: number[]; means: number[][]; covariances: number[][][]; d: number };
}

export function writeGmm(dir: string, fit: ExPostMixture): void {
  writeJsonAtomic(join(dir, 'gmm.json'), fit);
}

/** The run's gmm.json, or null when it has none (eval.sampler prior, or not completed). */
export function readGmm(dir: string): ExPostMixture | null {
  const path = join(dir, 'gmm.json');
  return existsSync(path) ? readVersionedJson<ExPostMixture>(path, 'gmm', GMM_FORMAT) : null;
}
