import { z } from 'zod';
import { deriveSeed } from '../../data/batches.js';
import { pca2, projectOnto } from '../analysis/pca.js';
import { gatherRows, seededSubset } from '../analysis/picks.js';
import { sampleLatents } from '../analysis/sampled-latents.js';
import { zName } from '../figures/format.js';
import { toggle } from '../figures/toggle.js';
import type { Stage } from '../types.js';
import { familyNote } from './shared/family-note.js';
import { rasterPanel, sharedRange } from '../figures/raster-panel.js';

const Options = z.strictObject({
  points: z.int().min(10).nullable().default(null).describe('test points drawn (a fixed seeded subset); null: every test image'),
  size: z.int().min(200).max(900).default(460).describe('longer side of the plot in pixels'),
});

const SAMPLE_STREAM = 0x5a3; // the seed stream of the posterior draws, derived from the run's seed

export const latentScatterStage: Stage<z.infer<typeof Options>> = {
  type: 'latentScatter',
  options: Options,
  inDefault: () => true,
  needs: ['continuousLatent'],
  applies: (config) => (config.model.latentDim >= 2 ? true : 'needs latentDim >= 2'),
  async run(ctx, options) {
    const { latentDim, kind } = ctx.spec();
    const test = ctx.latents().splits.test!;
    const pick = seededSubset(test.count, options.points ?? test.count);
    const n = pick.length;
    const labels = gatherRows(test.labels, 1, pick);
    const mu = gatherRows(test.mu, latentDim, pick);
    const sampled = sampleLatents(mu, gatherRows(test.logVar, latentDim, pick), n, latentDim, deriveSeed(ctx.config.seed, SAMPLE_STREAM));
    // Above two dimensions both views go on the means' principal axes (fitted on every test mean), so they compare.
    const pca = latentDim === 2 ? null : pca2(test.mu, test.count, latentDim);
    const [muXy, zXy] = pca === null ? [mu, sampled] : [gatherRows(pca.projected, 2, pick), projectOnto(sampled, n, latentDim, pca)];
    const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
    const titles: [string, string] = pca === null ? [zName(0), zName(1)] : [`PC1 (${pct(pca.explained[0])} of the means' variance)`, `PC2 (${pct(pca.explained[1])})`];
    const domains: [[number, number], [number, number]] = [sharedRange([muXy, zXy], 0), sharedRange([muXy, zXy], 1)];
    const panel = (file: string, xy: Float32Array) => rasterPanel({ outDir: ctx.outDir, file, points: { xy, labels }, domains, titles, classNames: ctx.classNames, side: options.size });
    const files = ['latent-scatter-sampled.png', 'latent-scatter-means.png'];
    const body = toggle(ctx.sectionId, [
      { label: 'z sampled from each posterior', body: await panel(files[0]!, zXy) },
      { label: 'posterior means', body: await panel(files[1]!, muXy) },
    ]);
    const where =
      pca === null
        ? 'in the two latent dimensions'
        : `on the first two principal components of the ${latentDim}-dimensional posterior means (${pct(pca.explained[0] + pca.explained[1])} of their variance); the samples are projected on the same axes`;
    return {
      title: latentDim === 2 ? 'Latent space of the test set' : 'Latent space of the test set (PCA)',
      caption:
        `Each point is one test image, coloured by its true class, ${where}. The first view draws one z from each image's posterior ` +
        `N(μ, σ²) (seeded), as the posts plot it; the second places each image at its posterior mean μ. Both share one scale: where ` +
        `the samples spread wider than the means, the encoder is unsure of the code. ` +
        (kind === 'cvae'
          ? 'The CVAE is given the label, so z need not encode the class: expect the classes to overlap, with z carrying style instead. '
          : 'The encoder never sees the label, so separated clusters mean the code captures the class unsupervised. ') +
        (n === test.count ? `All ${n} test images are drawn` : `${n} of the ${test.count} test images are drawn (a fixed seeded subset)`) +
        '; the means and log-variances are in latents-test.csv.' + familyNote(ctx.config, 'codes'),
      body,
      files,
    };
  },
};
