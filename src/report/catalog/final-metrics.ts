import { readEvalMetrics, stdErrorOf, type IwaeMetrics, type LatentKnowledgeMetrics, type SampleQualityMetrics } from '../../run/eval-metrics.js';
import type { EpochMetrics } from '../../run/run-dir.js';

/**
 * The numbers a comparison ranks runs by. metrics.json (the end-of-run evaluation, src/eval) is the
 * better source: the whole test set in beta = 1 form with a standard error, the IWAE estimate, active
 * units. Runs made before it existed, and runs that stopped early, fall back to the last line of
 * metrics.jsonl, whose test terms are also in beta = 1 form; what a run lacks shows as a dash.
 */
export interface IwaeSummary {
  nll: number;
  stdError: number | null; // null from one image
  samples: number;
  images: number;
}

export interface FinalMetrics {
  source: 'metrics.json' | 'last epoch' | 'none';
  negElbo: number | null; // test, nats per image
  negElboStdError: number | null;
  recon: number | null;
  kl: number | null;
  iwae: IwaeSummary | null;
  iwaeTrain: IwaeSummary | null; // on training images, when eval.iwaeTrainImages asked for it
  activeUnits: { active: number; of: number } | null;
  sampleQuality: SampleQualityMetrics | null; // null when skipped or from a run made before it existed
  sampleQualityGmm: SampleQualityMetrics | null; // of draws from the ex-post mixture (eval.sampler gmm)
  latentKnowledge: LatentKnowledgeMetrics | null;
  problem: string | null; // why metrics.json was present but not used
}

function fromEpochs(metrics: readonly EpochMetrics[], problem: string | null): FinalMetrics {
  const last = metrics.at(-1);
  const none = { negElboStdError: null, iwae: null, iwaeTrain: null, activeUnits: null, sampleQuality: null, sampleQualityGmm: null, latentKnowledge: null, problem };
  if (last === undefined) return { source: 'none', negElbo: null, recon: null, kl: null, ...none };
  const { negElbo, recon, kl } = last.test;
  return { source: 'last epoch', negElbo, recon, kl, ...none };
}

/** A damaged metrics.json is reported in the page and the run still compares on its epochs. */
export function readFinalMetrics(runDir: string, metrics: readonly EpochMetrics[]): FinalMetrics {
  let m;
  try {
    m = readEvalMetrics(runDir);
  } catch (err) {
    return fromEpochs(metrics, (err as Error).message);
  }
  if (m === null) return fromEpochs(metrics, null);
  const summary = (e: IwaeMetrics | null | undefined): IwaeSummary | null => (e === null || e === undefined ? null : { nll: e.nll, stdError: stdErrorOf(e.stdError, e.images), samples: e.samples, images: e.images });
  return {
    source: 'metrics.json',
    negElbo: m.test.negElbo,
    negElboStdError: stdErrorOf(m.test.negElboStdError, m.test.images),
    recon: m.test.recon,
    kl: m.test.kl,
    iwae: summary(m.iwae),
    iwaeTrain: summary(m.iwaeTrain),
    activeUnits: { active: m.latent.activeUnits, of: m.latent.dim },
    sampleQuality: m.sampleQuality ?? null,
    sampleQualityGmm: m.sampleQualityGmm ?? null,
    latentKnowledge: m.latentKnowledge ?? null,
    problem: null,
  };
}
