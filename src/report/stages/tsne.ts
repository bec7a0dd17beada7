import { join } from 'node:path';
import { z } from 'zod';
import { deriveSeed } from '../../data/batches.js';
import { VaelabError } from '../../errors.js';
import { gatherRows, seededSubset } from '../analysis/picks.js';
import { EMBED_DEFAULTS, embed } from '../analysis/tsne-embedding.js';
import { toCsv } from '../figures/csv.js';
import { fileLink, html } from '../figures/html.js';
import { hoverScatter, writeHoverSprite } from '../figures/hover-scatter.js';
import { rasterPanel, sharedRange } from '../figures/raster-panel.js';
import type { Stage } from '../types.js';
import { writeReportFile } from '../figures/write-file.js';

// Barnes-Hut t-SNE, O(n log n) a step: the whole 10,000-image test set in ~17-20 s on one core.
const Options = z.strictObject({
  points: z.int().min(20).nullable().default(null).describe('test points embedded (a fixed seeded subset); null: every test image'),
  perplexity: z.number().min(2).max(100).default(EMBED_DEFAULTS.perplexity).describe('t-SNE perplexity: roughly the number of neighbours each point keeps'),
  iterations: z.int().min(50).max(5000).default(EMBED_DEFAULTS.iterations).describe('gradient steps'),
  theta: z.number().min(0.1).max(1).default(EMBED_DEFAULTS.theta).describe('Barnes-Hut accuracy: a cell is summarised when its width / distance < theta'),
});

const TSNE_STREAM = 0x75e; // seed stream of the embedding, derived from the run's seed

export const tsneStage: Stage<z.infer<typeof Options>> = {
  type: 'tsne',
  options: Options,
  inDefault: () => true,
  needs: ['continuousLatent'],
  applies: () => true,
  async run(ctx, options) {
    const { latentDim } = ctx.spec();
    const test = ctx.latents().splits.test!;
    const pick = seededSubset(test.count, options.points ?? test.count);
    const n = pick.length;
    if (n <= 3 * options.perplexity) {
      throw new VaelabError(`t-SNE needs more than 3 x perplexity points: ${n} points, perplexity ${options.perplexity}`);
    }
    const mu = gatherRows(test.mu, latentDim, pick);
    const labels = gatherRows(test.labels, 1, pick);
    let lastReport = 0;
    const xy = await embed(mu, n, latentDim, {
      perplexity: options.perplexity,
      iterations: options.iterations,
      theta: options.theta,
      seed: deriveSeed(ctx.config.seed, TSNE_STREAM),
      onProgress: (iteration: number) => {
        if (iteration - lastReport >= 100 || iteration === options.iterations) {
          lastReport = iteration;
          ctx.progress(`t-SNE: iteration ${iteration}/${options.iterations} (${n} points)`);
        }
      },
    });
    const x = Float32Array.from({ length: n }, (_, i) => xy[2 * i] ?? 0);
    const y = Float32Array.from({ length: n }, (_, i) => xy[2 * i + 1] ?? 0);
    const csv = toCsv(['testIndex', 'label', 'class', 'tsne1', 'tsne2'], pick.map((idx, i) => [idx, labels[i]!, ctx.classNames[labels[i]!] ?? '', x[i]!, y[i]!]));
    writeReportFile(join(ctx.outDir, 'tsne.csv'), csv);
    const { test: images } = await ctx.dataset();
    const { height, width, imageSize } = ctx.spec();
    const points = { xy, labels, indices: pick, images: gatherRows(images.images, imageSize, pick), size: { height, width } };
    const domains: [[number, number], [number, number]] = [sharedRange([xy], 0), sharedRange([xy], 1)];
    const svg = await rasterPanel({ outDir: ctx.outDir, file: 'tsne.png', points: { xy, labels }, domains, titles: ['t-SNE 1', 't-SNE 2'], classNames: ctx.classNames, side: 560 });
    const sprite = writeHoverSprite(ctx.outDir, 'tsne-digits.png', points);
    const figure = hoverScatter({ id: ctx.sectionId, svg, sprite, domains, points, classNames: ctx.classNames });
    return {
      title: 't-SNE of the latent means',
      caption: caption(n, test.count, latentDim, options),
      body: html`${figure}\n<p class="downloads">${fileLink('tsne.csv', 'tsne.csv')} (test index, label, class, t-SNE coordinates)</p>`,
      files: ['tsne.csv', 'tsne.png', sprite],
    };
  },
};

function caption(n: number, count: number, latentDim: number, options: z.infer<typeof Options>): string {
  const which = n === count ? `all ${n} test images` : `${n} test images (a fixed seeded subset of ${count})`;
  return (
    `A two-dimensional t-SNE embedding of the ${latentDim}-dimensional posterior means of ${which}: perplexity ${options.perplexity}, ` +
    `${options.iterations} iterations, initialised from PCA, repulsion by Barnes-Hut (theta ${options.theta}), coloured by true class. ` +
    `t-SNE keeps neighbourhoods, not distances: read which classes sit together and which are split, not cluster sizes or ` +
    `the gaps between clusters. Point at a dot to see its test image, index and class. The coordinates are in tsne.csv.`
  );
}
