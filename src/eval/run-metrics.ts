import { IWAE_AUTO_BATCH, IWAE_AUTO_SAMPLES, type Config } from '../config/schema.js';
import { evaluationImages } from '../data/binarize.js';
import type { Dataset, Split } from '../data/datasets.js';
import type { Vae } from '../models/family.js';
import { EVAL_METRICS_FORMAT, stdErrorOf, type EvalMetrics, type IwaeMetrics } from '../run/eval-metrics.js';
import { latentUsage } from './active-units.js';
import { beyondLikelihood, type BeyondOptions } from './beyond-likelihood.js';
import type { ExPostMixture } from '../run/gmm-file.js';
import { elboTerms, meanAndStdError } from './elbo.js';
import { iwaeFromLogWeights, iwaeLogWeights } from './iwae.js';

export type TrainingSummary = EvalMetrics['training'];

/**
 * The end-of-run evaluation behind metrics.json: the test ELBO with its standard error, the IWAE estimate
 * of the test NLL on a fixed subset (and, when asked, of the training NLL), latent usage from the test
 * posteriors already computed for the latents file, and the numbers beyond the likelihood (sample quality,
 * latent probes), with the ex-post mixture to save beside them. Returns null when `signal` aborts it (the
 * IWAE passes are the long part).
 */
export async function evaluateRun(
  vae: Vae,
  data: Dataset,
  posteriors: { test: { mu: Float32Array; logVar: Float32Array }; train: { mu: Float32Array } },
  config: Config,
  training: TrainingSummary,
  where: Omit<BeyondOptions, 'log' | 'signal'>,
  { signal, log = () => {} }: { signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<{ metrics: EvalMetrics; gmm: ExPostMixture | null } | null> {
  const t0 = performance.now();
  const { train, test } = data;
  const testPosteriors = posteriors.test;
  const terms = await elboTerms(vae, test, { batchSize: config.train.evalBatchSize, seed: config.seed });
  const perImage = terms.recon.map((r, i) => r + terms.kl[i]!);
  const negElbo = meanAndStdError(perImage);
  const dim = vae.spec.latentDim;
  const usage = latentUsage(testPosteriors.mu, testPosteriors.logVar, test.count, dim, config.eval.activeThreshold);
  const layers = (await vae.family.layerUsage(vae, test, { batchSize: config.train.evalBatchSize, seed: config.seed, threshold: config.eval.activeThreshold })) ?? undefined;

  const iwaeOptions = { samples: config.eval.iwaeSamples ?? IWAE_AUTO_SAMPLES[vae.spec.arch], batchSize: config.eval.iwaeBatchSize ?? IWAE_AUTO_BATCH[vae.spec.arch], seed: config.seed, signal, log };
  const likelihood = vae.family.logWeights !== null && vae.family.capabilities(vae.spec).likelihood; // a family without one has no IWAE estimate
  const iwae = config.eval.iwaeImages > 0 && likelihood ? await iwaeEstimate(vae, test, config.eval.iwaeImages, 'test', iwaeOptions) : null;
  if (iwae === undefined) return null;
  const { iwaeTrainImages } = config.eval;
  const trainImages = iwaeTrainImages > 0 && likelihood ? evaluationImages(train, iwaeTrainImages, config.data.binarize) : null;
  const iwaeTrain = trainImages === null ? null : await iwaeEstimate(vae, trainImages, trainImages.count, 'training', iwaeOptions);
  if (iwaeTrain === undefined) return null;
  if (signal?.aborted === true) return null;
  const beyond = await beyondLikelihood(vae, data, { train: posteriors.train.mu, test: testPosteriors.mu }, config, { ...where, log, signal });
  if (beyond === undefined) return null;
  const { gmm, ...numbers } = beyond;
  const metrics: EvalMetrics = {
    formatVersion: EVAL_METRICS_FORMAT,
    computedAt: new Date().toISOString(),
    test: {
      images: test.count,
      negElbo: negElbo.mean,
      negElboStdError: negElbo.stdError,
      recon: meanAndStdError(terms.recon).mean,
      kl: meanAndStdError(terms.kl).mean,
    },
    iwae,
    iwaeTrain,
    // two stochastic layers: z's activity by the paper's rule (over draws of h1), the one every page shows
    latent: { dim, ...usage, ...(layers === undefined ? {} : { activeUnits: layers[1]!.activeUnits, muVariance: layers[1]!.muVariance, layers }) },
    ...numbers,
    training,
    evalSeconds: (performance.now() - t0) / 1000,
  };
  return { metrics, gmm };
}

interface IwaeOptions {
  samples: number;
  batchSize: number;
  seed: number;
  signal: AbortSignal | undefined;
  log: (message: string) => void;
}

/** The IWAE estimate on the first `count` images of `split`; undefined when `signal` aborts it. */
async function iwaeEstimate(vae: Vae, split: Split, count: number, which: 'test' | 'training', { samples, batchSize, seed, signal, log }: IwaeOptions): Promise<IwaeMetrics | undefined> {
  const t1 = performance.now();
  const images = Math.min(count, split.count);
  // the longest part of a run's end: say how far it is, every ten seconds
  let lastSaid = performance.now();
  const onProgress = (done: number, total: number) => {
    const now = performance.now();
    if (now - lastSaid < 10_000 || done === total) return;
    lastSaid = now;
    const left = ((now - t1) / done) * (total - done);
    log(`IWAE estimate: ${done} of ${total} ${which} images (K = ${samples}), about ${Math.round(left / 1000)} s left`);
  };
  const logW = await iwaeLogWeights(vae, split, { images, samples, batchSize, seed, signal, onProgress });
  if (logW === null) return undefined;
  return { ...iwaeFromLogWeights(logW, images, samples), seconds: (performance.now() - t1) / 1000 };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** One log line: the headline numbers of metrics.json. */
export function describeEvalMetrics(m: EvalMetrics): string {
  const pm = (se: number, images: number) => {
    const e = stdErrorOf(se, images);
    return e === null ? ' (one image: no standard error)' : ` ± ${e.toFixed(2)}`;
  };
  const said = (what: string, e: IwaeMetrics | null | undefined) =>
    e === null || e === undefined ? '' : `; ${what} ${e.nll.toFixed(2)}${pm(e.stdError, e.images)} (K ${e.samples}, ${e.images} images, ${e.seconds.toFixed(1)} s)`;
  const iwae = said('IWAE NLL', m.iwae) + said('training-set IWAE NLL', m.iwaeTrain);
  return (
    `test -ELBO ${m.test.negElbo.toFixed(2)}${pm(m.test.negElboStdError, m.test.images)} nats/image${iwae}; ` +
    (m.latent.layers === undefined
      ? `${m.latent.activeUnits} of ${m.latent.dim} latent units active`
      : `active units by layer ${m.latent.layers.map((l) => `${l.name} ${l.activeUnits} of ${l.dim}`).join(', ')}`) +
    (m.latentKnowledge == null ? '' : `; posterior means: linear probe ${pct(m.latentKnowledge.linearProbe)}, ${m.latentKnowledge.knnK}-NN ${pct(m.latentKnowledge.knn)}, k-means ${pct(m.latentKnowledge.kmeans.accuracy)}`)
  );
}
