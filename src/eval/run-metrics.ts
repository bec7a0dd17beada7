import { IWAE_AUTO_BATCH, IWAE_AUTO_SAMPLES, type Config } from '../config/schema.js';
import type { Split } from '../data/datasets.js';
import { twoLayerSpec, type Vae } from '../models/types.js';
import { EVAL_METRICS_FORMAT, type EvalMetrics } from '../run/eval-metrics.js';
import { latentUsage } from './active-units.js';
import { elboTerms, meanAndStdError } from './elbo.js';
import { iwaeFromLogWeights, iwaeLogWeights } from './iwae.js';
import { twoLayerUsage } from './layer-usage.js';

export type TrainingSummary = EvalMetrics['training'];

/**
 * The end-of-run evaluation behind metrics.json: the test ELBO with its standard error, the IWAE estimate
 * of the test NLL on a fixed subset, and latent usage from the test posteriors already computed for the
 * latents file. Returns null when `signal` aborts it (the IWAE passes are the long part).
 */
export async function evaluateRun(
  vae: Vae,
  test: Split,
  testPosteriors: { mu: Float32Array; logVar: Float32Array },
  config: Config,
  training: TrainingSummary,
  { signal, log = () => {} }: { signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<EvalMetrics | null> {
  const t0 = performance.now();
  const terms = await elboTerms(vae, test, { batchSize: config.train.evalBatchSize, seed: config.seed });
  const perImage = terms.recon.map((r, i) => r + terms.kl[i]!);
  const negElbo = meanAndStdError(perImage);
  const dim = vae.spec.latentDim;
  const usage = latentUsage(testPosteriors.mu, testPosteriors.logVar, test.count, dim, config.eval.activeThreshold);
  const two = twoLayerSpec(vae.spec);
  const layers = vae.intermediate === null || two === null ? undefined : await twoLayerUsage(vae.intermediate, two, test, { batchSize: config.train.evalBatchSize, seed: config.seed, threshold: config.eval.activeThreshold });

  let iwae: EvalMetrics['iwae'] = null;
  const { iwaeImages, iwaeBatchSize } = config.eval;
  const iwaeSamples = config.eval.iwaeSamples ?? IWAE_AUTO_SAMPLES[vae.spec.arch];
  if (iwaeImages > 0) {
    const t1 = performance.now();
    const images = Math.min(iwaeImages, test.count);
    const batchSize = iwaeBatchSize ?? IWAE_AUTO_BATCH[vae.spec.arch];
    // the longest part of a run's end: say how far it is, every ten seconds
    let lastSaid = performance.now();
    const onProgress = (done: number, total: number) => {
      const now = performance.now();
      if (now - lastSaid < 10_000 || done === total) return;
      lastSaid = now;
      const left = ((now - t1) / done) * (total - done);
      log(`IWAE estimate: ${done} of ${total} test images (K = ${iwaeSamples}), about ${Math.round(left / 1000)} s left`);
    };
    const logW = await iwaeLogWeights(vae, test, { images, samples: iwaeSamples, batchSize, seed: config.seed, signal, onProgress });
    if (logW === null) return null;
    iwae = { ...iwaeFromLogWeights(logW, images, iwaeSamples), seconds: (performance.now() - t1) / 1000 };
  }
  return {
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
    // two stochastic layers: z's activity by the paper's rule (over draws of h1), the one every page shows
    latent: { dim, ...usage, ...(layers === undefined ? {} : { activeUnits: layers[1]!.activeUnits, muVariance: layers[1]!.muVariance, layers }) },
    training,
    evalSeconds: (performance.now() - t0) / 1000,
  };
}

/** One log line: the headline numbers of metrics.json. */
export function describeEvalMetrics(m: EvalMetrics): string {
  const iwae = m.iwae === null ? '' : `; IWAE NLL ${m.iwae.nll.toFixed(2)} ± ${m.iwae.stdError.toFixed(2)} (K ${m.iwae.samples}, ${m.iwae.images} images, ${m.iwae.seconds.toFixed(1)} s)`;
  return (
    `test -ELBO ${m.test.negElbo.toFixed(2)} ± ${m.test.negElboStdError.toFixed(2)} nats/image${iwae}; ` +
    (m.latent.layers === undefined
      ? `${m.latent.activeUnits} of ${m.latent.dim} latent units active`
      : `active units by layer ${m.latent.layers.map((l) => `${l.name} ${l.activeUnits} of ${l.dim}`).join(', ')}`)
  );
}
