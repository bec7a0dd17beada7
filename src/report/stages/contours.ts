import { z } from 'zod';
import { deriveSeed } from '../../data/batches.js';
import type { SplitLatents } from '../../run/latents.js';
import { VaelabError } from '../../errors.js';
import { averagedGaussians } from '../analysis/averaged-gaussians.js';
import { classGaussians, type ClassGaussian } from '../analysis/class-gaussians.js';
import { gatherRows, seededSubset } from '../analysis/picks.js';
import { sampleLatents } from '../analysis/sampled-latents.js';
import { renderSvg } from '../figures/charts.js';
import { ellipsePanelSpec } from '../figures/ellipse-panel.js';
import { zName } from '../figures/format.js';
import { html, joinHtml, type SafeHtml } from '../figures/html.js';
import type { ReportContext, Stage } from '../types.js';
import { latentPlane } from './shared/plane.js';
import { rasterPanel, sharedRange } from '../figures/raster-panel.js';

const Options = z.strictObject({
  width: z.int().min(120).max(500).default(210).describe('longer side of each panel in pixels'),
  segments: z.int().min(16).max(256).default(48).describe('points per ellipse'),
  extent: z.number().gt(0).max(50).nullable().default(4).describe('axes run from -extent to +extent, as the latent-size study fixed them; null: fit the data'),
  closeUp: z.int().min(0).nullable().default(9).describe('class whose neighbourhood gets a close-up (the study looks near 9); null: none'),
});

type Domains = [[number, number], [number, number]];
const SAMPLE_STREAM = 0xc07; // the posterior draws of the sampled panel, from the run's seed

function subset(s: SplitLatents, idx: number[], dim: number): SplitLatents {
  return { count: idx.length, mu: gatherRows(s.mu, dim, idx), logVar: gatherRows(s.logVar, dim, idx), labels: gatherRows(s.labels, 1, idx) };
}

/** The plane's coordinates of one posterior draw per image, [count, 2]. */
function sampledPlane(s: SplitLatents, dim: number, dims: [number, number], seed: number): Float32Array {
  const z = sampleLatents(s.mu, s.logVar, s.count, dim, seed);
  return Float32Array.from({ length: s.count * 2 }, (_, k) => z[Math.floor(k / 2) * dim + dims[k % 2]!]!);
}

/** A square window around one class: its moment-matched 2-sigma ellipse, where its neighbours crowd in. */
function closeUpWindow(g: ClassGaussian): Domains {
  const half = 2 * Math.sqrt(Math.max(g.cov[0][0], g.cov[1][1], 0.02));
  return [[g.mean[0] - half, g.mean[0] + half], [g.mean[1] - half, g.mean[1] + half]];
}

interface Plane {
  ctx: ReportContext;
  dims: [number, number];
  axes: [string, string];
  labelMeans: boolean;
  prior: boolean;
  options: z.infer<typeof Options>;
}

function ellipses(p: Plane, title: string[], gaussians: ClassGaussian[], domains: Domains, legend: boolean): Promise<SafeHtml> {
  const { width, segments } = p.options;
  return renderSvg(ellipsePanelSpec({ title, gaussians, classNames: p.ctx.classNames, domains, axes: p.axes, side: width, segments, labelMeans: p.labelMeans, prior: p.prior, legend }));
}

/** The three views of one window: the study's averaged estimates, the sampled codes, our moment-matched Gaussians. */
interface TestViews {
  labels: Uint8Array;
  sampled: Float32Array; // [count, 2], one z per test image in the plane
  averaged: ClassGaussian[]; // the study's estimator
  matched: ClassGaussian[]; // ours
}

async function views(p: Plane, t: TestViews, domains: Domains, file: string, where: string): Promise<SafeHtml[]> {
  const names = p.ctx.classNames;
  const { averaged, matched } = t;
  const scatter = await rasterPanel({ outDir: p.ctx.outDir, file, points: { xy: t.sampled, labels: t.labels }, domains, titles: p.axes, classNames: names, side: p.options.width, title: `sampled z (${where})`, legend: false });
  return [
    await ellipses(p, ['averaged estimates (the study\'s)', where], averaged, domains, false),
    scatter,
    await ellipses(p, ['moment-matched (ours)', where], matched, domains, true),
  ];
}

const row = (panels: SafeHtml[]) => html`<div class="panels tight">${joinHtml(panels.map((s) => html`<div class="panel">${s}</div>`), '\n')}</div>`;

export const contoursStage: Stage<z.infer<typeof Options>> = {
  type: 'contours',
  options: Options,
  inDefault: (config) => config.model.latentDim >= 2,
  needs: ['continuousLatent', 'gaussianPosterior'],
  applies: (config) => (config.model.latentDim >= 2 ? true : 'needs latentDim >= 2'),
  async run(ctx, options) {
    const { latentDim, kind } = ctx.spec();
    const names = ctx.classNames;
    const { splits } = ctx.latents();
    const [test, train] = [splits.test!, splits.train!];
    const dims = latentPlane(ctx);
    const cvae = kind === 'cvae';
    const axes: [string, string] = [zName(dims[0]), zName(dims[1])];
    // Names at the means only where they can be read: a wider code's strongest plane piles them at the centre.
    const p: Plane = { ctx, dims, axes, labelMeans: !cvae && latentDim === 2, prior: true, options };
    const sampled = sampledPlane(test, latentDim, dims, deriveSeed(ctx.config.seed, SAMPLE_STREAM));
    const t: TestViews = {
      labels: test.labels,
      sampled,
      averaged: averagedGaussians(test.mu, test.logVar, test.labels, test.count, latentDim, dims, names.length),
      matched: classGaussians(test.mu, test.logVar, test.labels, test.count, latentDim, dims, names.length),
    };
    const e = options.extent;
    const domains: Domains = e === null ? [sharedRange([sampled], 0), sharedRange([sampled], 1)] : [[-e, e], [-e, e]];
    const files = ['contours-sampled.png'];
    const parts = [row(await views(p, t, domains, files[0]!, 'test set'))];
    if (options.closeUp !== null) {
      const c = options.closeUp;
      if (c >= names.length) throw new VaelabError(`contours: closeUp class ${c} does not exist (the run has classes 0 to ${names.length - 1})`);
      const g = t.matched.find((x) => x.label === c);
      if (g === undefined) throw new VaelabError(`contours: closeUp class ${c} has no test image`);
      files.push('contours-close-up.png');
      parts.push(html`<h3 class="sub">Close-up around ${names[c] ?? String(c)}</h3>`, row(await views({ ...p, labelMeans: !cvae }, t, closeUpWindow(g), files[1]!, 'close-up')));
    }
    // The layout should be the model's, not the images': the same Gaussians from other images should agree.
    const half = seededSubset(train.count, Math.floor(train.count / 2));
    const inHalf = new Set(half);
    const other = Array.from({ length: train.count }, (_, i) => i).filter((i) => !inHalf.has(i));
    const splitsShown: [string, SplitLatents][] = [['training set', train], ['training half A', subset(train, half, latentDim)], ['training half B', subset(train, other, latentDim)]];
    const stability = await Promise.all(splitsShown.map(([title, s], i) => ellipses(p, [title, `${s.count} images`], classGaussians(s.mu, s.logVar, s.labels, s.count, latentDim, dims, names.length), domains, i === splitsShown.length - 1)));
    parts.push(html`<details><summary>The moment-matched contours on other images (training set and two disjoint halves of it)</summary>${row(stability)}</details>`);
    return {
      title: cvae ? 'Class posteriors against the prior' : 'Per-class contours of the latent space',
      caption: caption(p, latentDim, test.count),
      body: joinHtml(parts, '\n'),
      files,
    };
  },
};

function caption(p: Plane, latentDim: number, count: number): string {
  const plane = latentDim === 2 ? p.axes.join(', ') : `${p.axes.join(', ')} (the two dimensions with the largest average KL, of ${latentDim})`;
  const range = p.options.extent === null ? 'fitted to the sampled codes' : `fixed at ±${p.options.extent} as in the latent-size study`;
  const cvae = p.ctx.spec().kind === 'cvae';
  return (
    `Per-class Gaussians of the encoder's posteriors over the ${count} test images, in the plane ${plane}, as ellipses at 1, 2 and 3 ` +
    `standard deviations (strong to faint) in the class colour; the dashed gray circles are the N(0, I) prior. Left, the latent-size ` +
    `study's estimator: the class's average posterior mean and average posterior standard deviation per axis (axis-aligned, how sure the ` +
    `encoder is about a typical image). Middle, one z sampled from each image's posterior. Right, ours: the Gaussian with the class's ` +
    `first two moments (mean of the means; covariance = mean posterior variance + covariance of the means), which also counts how ` +
    `the class's codes scatter, so it is never narrower. Axes are ${range}.` +
    (p.options.closeUp === null ? '' : ` The second row zooms on class ${p.ctx.classNames[p.options.closeUp] ?? p.options.closeUp}'s 2σ region (moment-matched), where the study looks at the classes that crowd it.`) +
    (cvae ? ' A CVAE is given the label, so every class posterior should sit on the prior: overlapping ellipses near the origin mean z carries style, not class.' : '')
  );
}
