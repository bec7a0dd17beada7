import { z } from 'zod';
import { oneHot } from '../../data/batches.js';
import { gatherRows, reconstructionPicks } from '../analysis/picks.js';
import { reconstructImages } from '../decode.js';
import { digitRowsFigure } from '../figures/digit-rows.js';
import { html, type SafeHtml } from '../figures/html.js';
import type { ReportContext, Stage } from '../types.js';
import { familyNote } from './shared/family-note.js';

// A comparison reads these defaults (reconstructionsStage.options), so it shows the digits of every run's report.
const Options = z.strictObject({
  extra: z.int().min(0).max(40).default(10).describe('test digits picked (fixed seed) beyond the first of each class'),
  pickFrom: z.int().min(1).default(1000).describe('the extra digits come from the first N test images, so runs on any test slice that large agree'),
  scale: z.int().min(1).max(6).default(2).describe('pixels per image pixel'),
});

/** Originals above their reconstructions for the test images `indices`, as a labelled two-row figure. */
async function pairFigure(ctx: ReportContext, indices: number[], file: string, xLabels: string[], xTitle: string, scale: number): Promise<SafeHtml> {
  const [vae, data] = await Promise.all([ctx.vae(), ctx.dataset()]);
  const { imageSize, numClasses, height, width } = ctx.spec();
  const x = gatherRows(data.test.images, imageSize, indices);
  const labels = gatherRows(data.test.labels, 1, indices);
  const recon = await reconstructImages(vae, x, indices.length, oneHot(labels, numClasses));
  return digitRowsFigure({ outDir: ctx.outDir, file, rows: [x, recon], rowLabels: ['original', 'reconstruction'], xLabels, xTitle, image: { height, width }, scale });
}

/** What the run's own config and numbers say about these reconstructions, and nothing they do not. */
export function reconstructionFacts(ctx: Pick<ReportContext, 'config' | 'metrics'>): string {
  const { beta, reconstructionWeight } = ctx.config.loss;
  const last = ctx.metrics.at(-1);
  const term = last === undefined ? '' : ` After epoch ${last.epoch} the test reconstruction term is ${last.test.recon.toFixed(1)} nats per image, with a ${ctx.config.model.latentDim}-dimensional code.`;
  if (reconstructionWeight === 0) {
    return `${term} This run gives the reconstruction term weight 0, so no gradient ever reaches the decoder: these are the outputs of the decoder as it was initialised, whatever the input.`;
  }
  if (beta === 0) return `${term} With β = 0 nothing pulls the posteriors toward the prior, so the code may be as precise as reconstruction needs: this is an autoencoder with noise.`;
  if (beta > 1) return `${term} With β = ${beta} the KL term weighs ${beta} times as much as in the ELBO, which trades reconstruction detail for posteriors closer to the prior.`;
  return term;
}

export const reconstructionsStage: Stage<z.infer<typeof Options>> = {
  type: 'reconstructions',
  options: Options,
  inDefault: () => true,
  needs: [],
  applies: () => true,
  async run(ctx, options) {
    const { test } = await ctx.dataset();
    const { first, extra, pool } = reconstructionPicks(test.labels, ctx.classNames.length, options.extra, options.pickFrom);
    const names = first.map((p) => ctx.classNames[p.label] ?? String(p.label));
    const firstSvg = await pairFigure(ctx, first.map((p) => p.idx), 'reconstructions-classes.png', names, 'first test example of each class', options.scale);
    const files = ['reconstructions-classes.png'];
    let body = firstSvg;
    if (extra.length > 0) {
      body = html`${body}${await pairFigure(ctx, extra, 'reconstructions-picked.png', extra.map((i) => `#${i}`), 'test image index (fixed seeded pick)', options.scale)}`;
      files.push('reconstructions-picked.png');
    }
    return {
      title: 'Reconstructions',
      caption:
        `Test digits (upper row of each pair) and their reconstructions (lower row): each digit is encoded, its ` +
        `posterior mean decoded, and the pixel probabilities shown as gray levels. The first pair shows the first test ` +
        `example of each class; the second ${extra.length} images picked with a fixed seed from the first ${pool} test ` +
        `images. The same indices appear in every run, so reports compare digit for digit.` + reconstructionFacts(ctx) + familyNote(ctx.config, 'reconstruction') +
        (ctx.spec().kind === 'cvae' ? ' The CVAE is given each digit\'s true label.' : ''),
      body,
      files,
    };
  },
};
