import { join } from 'node:path';
import { z } from 'zod';
import { deriveSeed, oneHot } from '../../data/batches.js';
import { standardNormals } from '../analysis/picks.js';
import { decodeZ } from '../decode.js';
import { renderSvg } from '../figures/charts.js';
import { gridSpec } from '../figures/grid-figure.js';
import { img } from '../figures/html.js';
import { writeTiles } from '../figures/images.js';
import type { Stage } from '../types.js';
import { familyNote } from './shared/family-note.js';

const Options = z.strictObject({
  rows: z.int().min(1).max(30).default(10).describe('rows of samples (a cvae draws one row per class instead)'),
  cols: z.int().min(1).max(30).default(12).describe('samples per row'),
  scale: z.int().min(1).max(6).default(2).describe('pixels per image pixel'),
});

const PRIOR_STREAM = 0x9a11; // seed stream of this figure, derived from the run's seed

export const priorSamplesStage: Stage<z.infer<typeof Options>> = {
  type: 'priorSamples',
  options: Options,
  inDefault: () => true,
  needs: ['continuousLatent'], // its grid covers the N(0, I) prior
  applies: () => true,
  async run(ctx, options) {
    const vae = await ctx.vae();
    const { latentDim, numClasses, height, width } = ctx.spec();
    const cvae = ctx.spec().kind === 'cvae';
    const { cols, scale } = options;
    const rows = cvae ? numClasses : options.rows;
    const seed = deriveSeed(ctx.config.seed, PRIOR_STREAM);
    // A cvae row is one class; every row reuses the same column of z, so a column shows one "style".
    const perRow = standardNormals(cols * latentDim, seed);
    const z = new Float32Array(rows * cols * latentDim);
    for (let r = 0; r < rows; r++) z.set(cvae ? perRow : standardNormals(cols * latentDim, deriveSeed(seed, r)), r * cols * latentDim);
    const labels = Uint8Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols));
    const pixels = await decodeZ(vae, z, rows * cols, cvae ? oneHot(labels, numClasses) : null);
    const gap = cvae ? 4 : 2;
    const file = 'prior-samples.png';
    const size = writeTiles(join(ctx.outDir, file), pixels, rows * cols, { cols, scale, gap, size: { height, width } });
    const body = cvae
      ? await renderSvg(
          gridSpec({
            src: file, ...size, cols, rows, tile: width * scale, gap,
            xLabels: Array.from({ length: cols }, (_, i) => `z${i + 1}`), yLabels: ctx.classNames,
            xTitle: 'one z ~ N(0, I) per column, shared by every row', yTitle: 'class label given to the decoder',
          }),
        )
      : img(file, `${rows * cols} digits decoded from z drawn from the prior`, size);
    return {
      title: 'Samples from the prior',
      caption: cvae
        ? `Decodings of z drawn from the prior N(0, I) (seeded from the run's seed), one row per class label. Each column reuses one z, ` +
          `so reading down a column shows what the latent code carries apart from the class: slant, thickness, width. ` +
          `Gray level is the decoder's pixel probability.` + familyNote(ctx.config, 'decoding')
        : `${rows * cols} decodings of z drawn from the prior N(0, I), seeded from the run's seed. These are what the model generates ` +
          `unconditionally: if the latent space is well used, most look like digits and every class appears. Gray level is the ` +
          `decoder's pixel probability (no sampling of pixels).` + familyNote(ctx.config, 'decoding'),
      body,
      files: [file],
    };
  },
};
