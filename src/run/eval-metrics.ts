import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomic.js';
import { readVersionedJson } from './json-file.js';
import type { LayerMetrics } from '../models/family.js';

export type { LayerMetrics };

/**
 * metrics.json: the numbers of a completed run, computed once after training (src/eval) and read by
 * reports, compare and sweep summaries. All losses are in nats per image, in the beta = 1 form whatever
 * beta trained; for a cvae they are conditioned on the label.
 */
export const EVAL_METRICS_FORMAT = 1;

export interface TestElbo {
  images: number; // the whole test split (data.testLimit applies)
  negElbo: number; // mean of recon + kl, one seeded z sample per image (as the epoch metrics)
  negElboStdError: number; // standard error of that mean over images
  recon: number;
  kl: number; // closed form
}

/**
 * A mean's standard error as the pages and logs print it: none from a single image, whose spread is
 * unknown (a stored 0 would read as "exact").
 */
export function stdErrorOf(stdError: number, images: number): number | null {
  return images < 2 ? null : stdError;
}

/** The importance-weighted estimate of the test negative log-likelihood (src/eval/iwae.ts). */
export interface IwaeMetrics {
  nll: number; // -mean over images of log (1/K) sum_k w_k: an upper bound on -log p(x) that tightens with K
  stdError: number; // over images
  negElbo: number; // -mean of log w over the same images and samples: the bound IWAE improves on
  images: number; // the first N test images (eval.iwaeImages), or training images (eval.iwaeTrainImages)
  samples: number; // K (eval.iwaeSamples)
  seconds: number;
}

export interface LatentMetrics {
  dim: number;
  activeUnits: number; // dimensions whose posterior mean varies over the test set by more than threshold
  threshold: number;
  muVariance: number[]; // two stochastic layers: z's as layers[1] has them (E over draws of h1), so every page agrees
  klPerDim: number[]; // nats per image; sums to test.kl (two stochastic layers: z's KL at h1's posterior mean, not test.kl)
  layers?: LayerMetrics[]; // a family with several stochastic layers only (layerUsage): active units of each, as Burda et al. define them
}

/**
 * How the model's samples look to the data set's reference classifier (src/eval/sample-quality.ts), on its
 * penultimate features. Numbers compare only between runs scored by the same classifier (its hash).
 */
export interface SampleQualityMetrics {
  classifier: string; // SHA-256 of the reference classifier's weights
  classifierAccuracy?: number; // its accuracy on its data set's test split (from its manifest)
  samples: number; // N prior samples
  testImages: number; // the test images they are scored against
  seed: number;
  fd: { samples: number; reconstructions: number; trainingImages: number }; // Fréchet distance to the test set's features
  precision: number; // share of samples inside the test set's k-NN manifold (Kynkäänniemi et al. 2019)
  recall: number; // share of test images inside the samples' manifold
  k: number;
  confidence: number; // the classifier's mean largest probability on the samples
  classShares: number[]; // share of the samples the classifier assigns to each class
  testShares: number[]; // share of each label among the test images scored: what a model that covers every mode matches
  labelAccuracy: number[] | null; // a cvae: per label, the share of its samples classified as that label
  seconds: number; // the prior's: with the classifier's views of the test, training and reconstructed images (not a first-use classifier's training); the mixture's: its own draws only
}

/** What the posterior means know of the labels (src/eval/latent-knowledge.ts). */
export interface LatentKnowledgeMetrics {
  linearProbe: number; // test accuracy of a logistic regression fitted on the training means
  knn: number; // test accuracy of k-NN against the training means
  knnK: number;
  kmeans: { accuracy: number; nmi: number }; // on the test means, as many clusters as classes
  trainImages: number;
  testImages: number;
  seed: number;
  seconds: number;
}

export interface EvalMetrics {
  formatVersion: number;
  computedAt: string;
  test: TestElbo;
  iwae: IwaeMetrics | null; // null when eval.iwaeImages is 0
  iwaeTrain?: IwaeMetrics | null; // the same on training images; null when eval.iwaeTrainImages is 0, absent in older files
  latent: LatentMetrics;
  sampleQuality?: SampleQualityMetrics | null; // null when skipped (eval.qualitySamples 0); absent in older files
  sampleQualityGmm?: SampleQualityMetrics | null; // the same for draws from the ex-post mixture (gmm.json); null unless eval.sampler gmm
  latentKnowledge?: LatentKnowledgeMetrics | null; // null when skipped (eval.latentProbes false, no continuous latent); absent in older files
  training: { backend: string; epochs: number; wallSeconds: number; trainSeconds: number; samplesPerSecond: number | null };
  evalSeconds: number; // time to compute this file
}

export function writeEvalMetrics(dir: string, metrics: EvalMetrics): void {
  writeJsonAtomic(join(dir, 'metrics.json'), metrics);
}

/** The run's metrics.json, or null when it has none (a run that has not completed). */
export function readEvalMetrics(dir: string): EvalMetrics | null {
  const path = join(dir, 'metrics.json');
  if (!existsSync(path)) return null;
  return readVersionedJson<EvalMetrics>(path, 'metrics', EVAL_METRICS_FORMAT);
}
