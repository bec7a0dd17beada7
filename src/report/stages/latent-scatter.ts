import { z } from 'zod';
import { meansIn2d } from '../analysis/pca.js';
import { column, gatherRows, seededSubset } from '../analysis/picks.js';
import { renderSvg } from '../figures/charts.js';
import { zName } from '../figures/format.js';
import { scatterSpec } from '../figures/scatter.js';
import type { Stage } from '../types.js';

const Options = z.strictObject({
  points: z.int().min(10).max(20000).default(2000).describe('test points drawn (a fixed seeded subset; every point costs SVG size)'),
});

export const latentScatterStage: Stage<z.infer<typeof Options>> = {
  type: 'latentScatter',
  options: Options,
  inDefault: () => true,
  applies: (config) => (config.model.latentDim >= 2 ? true : 'needs latentDim >= 2'),
  async run(ctx, options) {
    const { latentDim, kind } = ctx.spec();
    const test = ctx.latents().splits.test!;
    const pick = seededSubset(test.count, options.points);
    const labels = gatherRows(test.labels, 1, pick);
    const { xy, explained } = meansIn2d(test.mu, test.count, latentDim, pick);
    const [x, y] = [column(xy, 2, 0), column(xy, 2, 1)];
    const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
    const [xTitle, yTitle, how] =
      explained === null
        ? [`${zName(0)} (posterior mean)`, `${zName(1)} (posterior mean)`, 'the encoder\'s posterior means themselves']
        : [
            `PC1 (${pct(explained[0])} of variance)`,
            `PC2 (${pct(explained[1])} of variance)`,
            `the first two principal components of the ${latentDim}-dimensional posterior means, which together hold ${pct(explained[0] + explained[1])} of their variance`,
          ];
    const svg = await renderSvg(scatterSpec({ x, y, labels, classNames: ctx.classNames, xTitle, yTitle }));
    return {
      title: latentDim === 2 ? 'Latent space of the test set' : 'Latent space of the test set (PCA)',
      caption:
        `Each point is one test image placed at ${how}, coloured by its true class. ` +
        (kind === 'cvae'
          ? 'The CVAE is given the label, so z need not encode the class: expect the classes to overlap, with z carrying style instead. '
          : 'The encoder never sees the label, so separated clusters mean the code captures the class unsupervised. ') +
        (pick.length === test.count ? `All ${test.count} test images are drawn` : `${pick.length} of the ${test.count} test images are drawn (a fixed seeded subset)`) +
        '; all of the means are in latents-test.csv.',
      body: svg,
      files: [],
    };
  },
};
