import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { deriveSeed } from '../../data/batches.js';
import { VaelabError } from '../../errors.js';
import { gatherRows, seededSubset } from '../analysis/picks.js';
import { embed } from '../analysis/tsne-embedding.js';
import { renderSvg } from '../figures/charts.js';
import { toCsv } from '../figures/csv.js';
import { fileLink, html } from '../figures/html.js';
import { scatterSpec } from '../figures/scatter.js';
import type { Stage } from '../types.js';

// tsne-js is exact, O(n^2) per iteration: ~300 points keep this figure to seconds (see issue 5 for a fast path).
const Options = z.strictObject({
  points: z.int().min(20).max(5000).default(300).describe('test points embedded (a fixed seeded subset)'),
  perplexity: z.number().min(2).max(100).default(30).describe('t-SNE perplexity: roughly the number of neighbours each point keeps'),
  iterations: z.int().min(50).max(5000).default(500).describe('gradient steps'),
});

const TSNE_STREAM = 0x75e; // seed stream of the embedding, derived from the run's seed

export const tsneStage: Stage<z.infer<typeof Options>> = {
  type: 'tsne',
  options: Options,
  inDefault: () => true,
  applies: () => true,
  async run(ctx, options) {
    const { latentDim } = ctx.spec();
    const test = ctx.latents().splits.test!;
    const pick = seededSubset(test.count, options.points);
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
    writeFileSync(join(ctx.outDir, 'tsne.csv'), csv);
    const svg = await renderSvg(scatterSpec({ x, y, labels, classNames: ctx.classNames, xTitle: 't-SNE 1', yTitle: 't-SNE 2', pointSize: 30 }));
    return {
      title: 't-SNE of the latent means',
      caption:
        `A two-dimensional t-SNE embedding of the ${latentDim}-dimensional posterior means of ${n} test images (a fixed seeded subset of ` +
        `${test.count}), perplexity ${options.perplexity}, ${options.iterations} iterations, initialised from PCA, coloured by true class. ` +
        `t-SNE keeps neighbourhoods, not distances: read which classes sit together and which are split, not cluster sizes or ` +
        `the gaps between clusters. The coordinates are in tsne.csv.`,
      body: html`${svg}\n<p class="downloads">${fileLink('tsne.csv', 'tsne.csv')} (test index, label, class, t-SNE coordinates)</p>`,
      files: ['tsne.csv'],
    };
  },
};
