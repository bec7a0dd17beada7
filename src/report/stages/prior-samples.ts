import { join } from 'node:path';
import { z } from 'zod';
import { deriveSeed, oneHot } from '../../data/batches.js';
import { standardNormals } from '../analysis/picks.js';
import { decodeZ } from '../decode.js';
import { renderSvg } from '../figures/charts.js';
import { gridSpec } from '../figures/grid-figure.js';
import { html, img, type SafeHtml } from '../figures/html.js';
import { sampleGmm } from '../../eval/probes/gmm.js';
import { readEvalMetrics } from '../../run/eval-metrics.js';
import { readGmm } from '../../run/gmm-file.js';
import { writeTiles } from '../figures/images.js';
import type { ReportContext, Stage } from '../types.js';
import { familyNote } from './shared/family-note.js';

const Options = z.strictObject({
  rows: z.int().min(1).max(30).default(10).describe('rows of samples (a cvae draws one row per class instead)'),
  cols: z.int().min(1).max(30).default(12).describe('samples per row'),
  scale: z.int().min(1).max(6).default(2).describe('pixels per image pixel'),
});

const PRIOR_STREAM = 0x9a11; // seed stream of this figure, derived from the run's seed
const GMM_FIGURE_STREAM = 0x9a12; // the mixture's draws of this figure

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
    const exPost = await exPostGrid(ctx, rows, cols, scale, gap, cvae ? labels : null);
    return {
      title: exPost === null ? 'Samples from the prior' : 'Samples from the prior and from the ex-post mixture',
      caption: cvae
        ? `Decodings of z drawn from the prior N(0, I) (seeded from the run's seed), one row per class label. Each column reuses one z, ` +
          `so reading down a column shows what the latent code carries apart from the class: slant, thickness, width. ` +
          `Gray level is the decoder's pixel probability.` + familyNote(ctx.config, 'decoding') + (exPost?.caption ?? '')
        : `${rows * cols} decodings of z drawn from the prior N(0, I), seeded from the run's seed. These are what the model generates ` +
          `unconditionally: if the latent space is well used, most look like digits and every class appears. Gray level is the ` +
          `decoder's pixel probability (no sampling of pixels).` + familyNote(ctx.config, 'decoding') + (exPost?.caption ?? ''),
      body: exPost === null ? body : html`<div class="gallery"><figure>${body}<figcaption>z ~ N(0, I)</figcaption></figure><figure>${exPost.body}<figcaption>z ~ the ex-post mixture</figcaption></figure></div>`,
      files: [file, ...(exPost === null ? [] : [exPost.file])],
    };
  },
};

/**
 * With eval.sampler gmm, the same grid decoded from draws of the mixture fitted to the training means
 * (gmm.json), its FD beside the prior's in the caption; null for a run without one.
 */
async function exPostGrid(ctx: ReportContext, rows: number, cols: number, scale: number, gap: number, labels: Uint8Array | null): Promise<{ body: SafeHtml; file: string; caption: string } | null> {
  const gmm = readGmm(ctx.runDir);
  if (gmm === null) return null;
  const { numClasses, height, width } = ctx.spec();
  const n = rows * cols;
  const z = sampleGmm(gmm.mixture, n, deriveSeed(ctx.config.seed, GMM_FIGURE_STREAM));
  const pixels = await decodeZ(await ctx.vae(), z, n, labels === null ? null : oneHot(labels, numClasses));
  const file = 'gmm-samples.png';
  const size = writeTiles(join(ctx.outDir, file), pixels, n, { cols, scale, gap, size: { height, width } });
  const m = readEvalMetrics(ctx.runDir);
  const fd = (q: { fd: { samples: number } } | null | undefined) => (q == null ? '' : q.fd.samples.toFixed(1));
  const scores = m?.sampleQualityGmm == null ? '' : ` FD on the reference classifier: ${fd(m.sampleQuality)} from the prior, ${fd(m.sampleQualityGmm)} from the mixture (lower is better).`;
  return {
    body: img(file, `${n} digits decoded from z drawn from the ex-post mixture`, size),
    file,
    caption:
      ` The second grid: the same number of decodings of z drawn from a mixture of ${gmm.components} Gaussians fitted to ${count(gmm.images)} training means ` +
      `(eval.sampler gmm, ex-post density estimation after Ghosh et al. 2020): where the prior puts mass the encoder never uses, the mixture does not.${scores}`,
  };
}

const count = (n: number) => n.toLocaleString('en-US');
