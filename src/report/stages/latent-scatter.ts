import { z } from 'zod';
import { pca2 } from '../maths/pca.js';
import { renderSvg } from '../charts.js';
import { gatherRows, seededSubset } from '../picks.js';
import { scatterSpec } from '../scatter.js';
import type { Stage } from '../types.js';

const Options = z.strictObject({
  points: z.int().min(10).max(20000).default(2000).describe('test points drawn (a fixed seeded subset; every point costs SVG size)'),
});

/** Column j of a row-major [n, dim] array. */
function column(data: Float32Array, dim: number, j: number): Float32Array {
  return Float32Array.from({ length: data.length / dim }, (_, i) => data[i * dim + j] ?? 0);
}

export const latentScatterStage: Stage<z.infer<typeof Options>> = {
  type: 'latentScatter',
  options: Options,
  inDefault: () => true,
  applies: (config) => (config.model.latentDim >= 2 ? true : 'needs latentDim >= 2'),
  async run(ctx, options) {
    const { latentDim, splits } = ctx.latents();
    const test = splits.test!;
    const pick = seededSubset(test.count, options.points);
    const mu = gatherRows(test.mu, latentDim, pick);
    const labels = gatherRows(test.labels, 1, pick);
    let x: Float32Array, y: Float32Array, xTitle: string, yTitle: string, how: string;
    if (latentDim === 2) {
      [x, y, xTitle, yTitle] = [column(mu, 2, 0), column(mu, 2, 1), 'z₁ (posterior mean)', 'z₂ (posterior mean)'];
      how = 'the encoder\'s posterior means themselves';
    } else {
      // Principal axes of all test means, so the subset does not move them.
      const { projected, explained } = pca2(test.mu, test.count, latentDim);
      const all = gatherRows(projected, 2, pick);
      const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
      [x, y] = [column(all, 2, 0), column(all, 2, 1)];
      [xTitle, yTitle] = [`PC1 (${pct(explained[0])} of variance)`, `PC2 (${pct(explained[1])} of variance)`];
      how = `the first two principal components of the ${latentDim}-dimensional posterior means, which together hold ${pct(explained[0] + explained[1])} of their variance`;
    }
    const svg = await renderSvg(scatterSpec({ x, y, labels, classNames: ctx.classNames, xTitle, yTitle }));
    return {
      title: latentDim === 2 ? 'Latent space of the test set' : 'Latent space of the test set (PCA)',
      caption:
        `Each point is one test image placed at ${how}, coloured by its true class. ` +
        (ctx.config.model.kind === 'cvae'
          ? 'The CVAE is given the label, so z need not encode the class: expect the classes to overlap, with z carrying style instead. '
          : 'The encoder never sees the label, so separated clusters mean the code captures the class unsupervised. ') +
        (pick.length === test.count ? `All ${test.count} test images are drawn` : `${pick.length} of the ${test.count} test images are drawn (a fixed seeded subset)`) +
        '; all of the means are in latents-test.csv.',
      body: svg,
      files: [],
    };
  },
};
