import type { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/datasets.js';
import type { LatentUsage } from '../eval/active-units.js';
import type { VaeSpec } from '../models/types.js';
import type { Need, Vae } from '../models/family.js';
import type { Latents } from '../run/latents.js';
import type { EpochMetrics, RunInfo } from '../run/run-dir.js';
import type { SafeHtml } from './figures/html.js';

/**
 * What a report stage sees: the run directory's contents, read lazily (a stage that needs no model
 * never loads one), and the folder it writes its files into. Stages never import the trainer.
 */
export interface ReportContext {
  runDir: string;
  outDir: string; // the report folder: reports/<name>/<run id>/
  sectionId: string; // the running stage's section id, unique in the page (for element ids and file names)
  config: Config;
  info: RunInfo;
  metrics: EpochMetrics[];
  classNames: string[];
  /** The model's shape (kind, latentDim, numClasses, image size) from checkpoint/state.json: the one source stages read it from. */
  spec(): VaeSpec;
  latents(): Latents; // test and train posterior means/log-variances with labels, checked against spec()
  latentUsage(): RunLatentUsage; // active units and KL per dimension on the test set
  vae(): Promise<Vae>; // encoder and decoder from checkpoint/ (evaluation mode)
  dataset(): Promise<Dataset>; // the run's data (test images for reconstructions, interpolations)
  progress(message: string): void; // long stages (t-SNE) report progress here
}

/**
 * Active units and KL per dimension of the test posteriors: metrics.json's `latent` when the run has one,
 * else computed from the saved latents by the same rule (src/eval/active-units.ts), so a report and the
 * run's evaluation never disagree on which dimensions are active.
 */
export interface RunLatentUsage extends LatentUsage {
  source: 'metrics.json' | 'latents';
}

/** A stage's contribution to the page. `body` is markup built with `html` (figures/html.ts), so text in it is escaped. */
export interface StageOutput {
  title: string;
  caption: string; // plain text: what the figure shows and how to read it (escaped when rendered)
  body: SafeHtml;
  files: string[]; // paths written, relative to outDir
}

/**
 * A figure of the report: a plugin chosen by `type` in report.stages, one file per stage and one line in
 * the registry. `options` is a strict zod schema whose parse({}) gives the defaults.
 */
export interface Stage<O extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  options: z.ZodType<O>;
  /** The model capabilities it draws on: a model whose family lacks one does not get it, and the report says why. */
  needs: readonly Need[];
  /** Whether the stage belongs in the default list for this run (e.g. manifold only for latentDim 2). */
  inDefault(config: Config): boolean;
  /** Whether it can run at all for this run; a string says why not. */
  applies(config: Config): true | string;
  run(ctx: ReportContext, options: O): Promise<StageOutput>;
}
