import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/datasets.js';
import { unmetNeed, type ModelFamily, type Vae } from '../models/family.js';
import type { LatentKnowledgeMetrics, SampleQualityMetrics } from '../run/eval-metrics.js';
import type { ExPostMixture } from '../run/gmm-file.js';
import type * as tf from '@tensorflow/tfjs';
import { referenceClassifier } from './classifier/reference.js';
import { KNN_K, latentKnowledge } from './latent-knowledge.js';
import { QUALITY_K, referenceViews, sampleQuality } from './sample-quality.js';
import { fitExPost, mixtureDraw } from './ex-post.js';

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
  const unmet = unmetNeed(family, config.model, ['continuousLatent']);
  if (unmet !== null) return unmet;
  // k-means needs a point per cluster and k-NN k neighbours
  if (sizes.test < sizes.classes || sizes.train < KNN_K) return `the probes need at least ${sizes.classes} test and ${KNN_K} training images`;
  return null;
}

const sizesOf = (data: Dataset): SplitSizes => ({ train: data.train.count, test: data.test.count, classes: data.numClasses });

export interface PosteriorMeans {
  train: Float32Array; // [train.count, latentDim]
  test: Float32Array; // [test.count, latentDim]
}

export interface BeyondOptions {
  classifierCache: string; // where a classifier trained on first use is kept (referenceClassifier)
  baseDir: string; // what a relative data.dir resolves against
  backend: string; // named in the manifest of a classifier trained here
  log: (message: string) => void;
  signal?: AbortSignal | undefined;
}

/** What the end of a run adds beyond the likelihood; gmm is the ex-post mixture to save (eval.sampler gmm). */
export interface Beyond {
  sampleQuality: SampleQualityMetrics | null;
  sampleQualityGmm: SampleQualityMetrics | null;
  latentKnowledge: LatentKnowledgeMetrics | null;
  gmm: ExPostMixture | null;
}

/**
 * The end-of-run numbers beyond the likelihood: sample quality on the reference classifier and what the
 * posterior means know of the labels; each null when its config key, the data set or the family rules it out.
 * Undefined when `signal` aborted the training of a first-use classifier.
 */
export async function beyondLikelihood(vae: Vae, data: Dataset, means: PosteriorMeans, config: Config, o: BeyondOptions): Promise<Beyond | undefined> {
  const gmm = exPostSkipped(config, vae.family) === null ? fitExPost(means.train, data.train.count, vae.spec.latentDim, config) : null;
  if (gmm !== null) o.log(`ex-post mixture: ${gmm.components} components fitted to ${gmm.images} training means in ${gmm.seconds.toFixed(1)} s (${gmm.iterations} EM iterations, ${gmm.logLikelihood.toFixed(2)} nats per mean)`);
  const quality = await scoreSamples(vae, data, config, gmm, o);
  if (quality === undefined) return undefined;
  return { ...quality, latentKnowledge: probeLatents(vae, data, means, config), gmm };
}

/** Why a run of this config draws from no ex-post mixture, or null when it does. */
export function exPostSkipped(config: Config, family: ModelFamily): string | null {
  if (config.eval.sampler !== 'gmm') return 'eval.sampler is prior';
  return unmetNeed(family, config.model, ['continuousLatent']);
}

type Quality = Pick<Beyond, 'sampleQuality' | 'sampleQualityGmm'>;

async function scoreSamples(vae: Vae, data: Dataset, config: Config, gmm: ExPostMixture | null, o: BeyondOptions): Promise<Quality | undefined> {
  if (sampleQualitySkipped(config, sizesOf(data)) !== null) return { sampleQuality: null, sampleQualityGmm: null };
  const reference = await referenceClassifier(config.data, o.classifierCache, o);
  if (reference === null) return undefined;
  const t0 = performance.now(); // after a first-use classifier's training, which the log times apart
  const { model, manifest } = reference;
  try {
    // as many samples as test images: both sets the same size, as the precision/recall protocol has them
    const samples = Math.min(config.eval.qualitySamples, data.test.count);
    const base = { samples, seed: config.seed, batchSize: config.train.evalBatchSize, classifierHash: manifest.sha256 };
    const references = await referenceViews(vae, data, model, base);
    const extra = { classifierAccuracy: manifest.testAccuracy, testImages: samples, testShares: labelShares(data.test.labels.subarray(0, samples), data.numClasses) };
    // the prior's time counts the classifier and the reference views it shares with the mixture's draws
    const scored = async (since: number, draw?: (m: number, seed: number) => tf.Tensor2D) => {
      const q = await sampleQuality(vae, data, model, { ...base, references, ...(draw === undefined ? {} : { draw }) });
      return { ...q, ...extra, seconds: (performance.now() - since) / 1000 };
    };
    const prior = await scored(t0);
    const fromGmm = gmm === null ? null : await scored(performance.now(), mixtureDraw(gmm));
    const said = (what: string, q: SampleQualityMetrics) => `${what} FD ${q.fd.samples.toFixed(1)}, precision ${q.precision.toFixed(3)}, recall ${q.recall.toFixed(3)}`;
    o.log(`sample quality (${samples} samples; test against training images FD ${prior.fd.trainingImages.toFixed(1)}): ${said('prior', prior)}${fromGmm === null ? '' : `; ${said('ex-post GMM', fromGmm)}`} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return { sampleQuality: prior, sampleQualityGmm: fromGmm };
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
