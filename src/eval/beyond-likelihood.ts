import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/datasets.js';
import type { ModelFamily, Vae } from '../models/family.js';
import type { LatentKnowledgeMetrics, SampleQualityMetrics } from '../run/eval-metrics.js';
import { referenceClassifier } from './classifier/reference.js';
import { KNN_K, latentKnowledge } from './latent-knowledge.js';
import { QUALITY_K, sampleQuality } from './sample-quality.js';

/** The split sizes that decide whether a metric has enough points. */
export interface SplitSizes {
  train: number;
  test: number;
  classes: number;
}

/** Why a run of this config gets no sample-quality numbers, or null when it gets them. */
export function sampleQualitySkipped(config: Config, sizes: SplitSizes): string | null {
  if (config.eval.qualitySamples === 0) return 'eval.qualitySamples is 0';
  // precision and recall set each point's radius by its K-th neighbour in its own set
  if (config.eval.qualitySamples <= QUALITY_K || sizes.test <= QUALITY_K) return `precision and recall need more than ${QUALITY_K} samples and test images`;
  return null;
}

/** Why a run of this config gets no latent probes, or null when it gets them. */
export function latentProbesSkipped(config: Config, family: ModelFamily, sizes: SplitSizes): string | null {
  if (!config.eval.latentProbes) return 'eval.latentProbes is false';
  if (family.capabilities(config.model).latent !== 'continuous') return `model.family ${family.name} has no continuous latent`;
  // k-means needs a point per cluster and k-NN k neighbours
  if (sizes.test < sizes.classes || sizes.train < KNN_K) return `the probes need at least ${sizes.classes} test and ${KNN_K} training images`;
  return null;
}

const sizesOf = (data: Dataset): SplitSizes => ({ train: data.train.count, test: data.test.count, classes: data.numClasses });

export interface PosteriorMeans {
  train: Float32Array; // [train.count, latentDim]
  test: Float32Array; // [test.count, latentDim]
}

/**
 * The end-of-run numbers beyond the likelihood: sample quality on the reference classifier and what the
 * posterior means know of the labels; each null when its config key, the data set or the family rules it out.
 */
export interface BeyondOptions {
  classifierCache: string; // where a classifier trained on first use is kept (referenceClassifier)
  baseDir: string; // what a relative data.dir resolves against
  backend: string; // named in the manifest of a classifier trained here
  log: (message: string) => void;
  signal?: AbortSignal | undefined;
}

/** Undefined when `signal` aborted the training of a first-use classifier. */
export async function beyondLikelihood(
  vae: Vae,
  data: Dataset,
  means: PosteriorMeans,
  config: Config,
  o: BeyondOptions,
): Promise<{ sampleQuality: SampleQualityMetrics | null; latentKnowledge: LatentKnowledgeMetrics | null } | undefined> {
  const sampleQuality = await scoreSamples(vae, data, config, o);
  if (sampleQuality === undefined) return undefined;
  return { sampleQuality, latentKnowledge: probeLatents(vae, data, means, config) };
}

async function scoreSamples(vae: Vae, data: Dataset, config: Config, o: BeyondOptions): Promise<SampleQualityMetrics | null | undefined> {
  if (sampleQualitySkipped(config, sizesOf(data)) !== null) return null;
  const t0 = performance.now();
  const reference = await referenceClassifier(config.data, o.classifierCache, o);
  if (reference === null) return undefined;
  const { model, manifest } = reference;
  const log = o.log;
  try {
    // as many samples as test images: both sets the same size, as the precision/recall protocol has them
    const samples = Math.min(config.eval.qualitySamples, data.test.count);
    const q = await sampleQuality(vae, data, model, { samples, seed: config.seed, batchSize: config.train.evalBatchSize, classifierHash: manifest.sha256 });
    const seconds = (performance.now() - t0) / 1000;
    log(`sample quality: FD ${q.fd.samples.toFixed(1)} (${samples} prior samples; test against training images ${q.fd.trainingImages.toFixed(1)}), precision ${q.precision.toFixed(3)}, recall ${q.recall.toFixed(3)} (${seconds.toFixed(1)} s)`);
    return { ...q, classifierAccuracy: manifest.testAccuracy, testImages: samples, testShares: labelShares(data.test.labels.subarray(0, samples), data.numClasses), seconds };
  } finally {
    model.dispose();
  }
}

function probeLatents(vae: Vae, data: Dataset, means: PosteriorMeans, config: Config): LatentKnowledgeMetrics | null {
  if (latentProbesSkipped(config, vae.family, sizesOf(data)) !== null) return null;
  const t0 = performance.now();
  const d = vae.spec.latentDim;
  const k = latentKnowledge(
    { x: means.train, labels: data.train.labels, n: data.train.count },
    { x: means.test, labels: data.test.labels, n: data.test.count },
    d,
    data.numClasses,
    config.seed,
  );
  return { ...k, knnK: KNN_K, seed: config.seed, seconds: (performance.now() - t0) / 1000 };
}

function labelShares(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]!++;
  return counts.map((c) => c / labels.length);
}
