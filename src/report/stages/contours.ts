import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import type { SplitLatents } from '../../run/latents.js';
import { classGaussians } from '../analysis/class-gaussians.js';
import { gatherRows, seededSubset } from '../analysis/picks.js';
import { renderSvg } from '../figures/charts.js';
import { ellipseOutlines, type OutlinePoint } from '../figures/ellipses.js';
import { zName } from '../figures/format.js';
import { CLASS_COLOURS } from '../figures/palette.js';
import { equalAspect, paddedRange } from '../figures/scatter.js';
import type { Stage } from '../types.js';
import { latentPlane } from './shared/plane.js';

const Options = z.strictObject({
  width: z.int().min(120).max(500).default(210).describe('longer side of each panel in pixels'),
  segments: z.int().min(16).max(256).default(48).describe('points per ellipse'),
});

const SIGMAS = [1, 2, 3] as const;
const OPACITY = [1, 0.6, 0.35]; // 1, 2, 3 sigma: the inner ellipse strongest

interface Panel {
  title: string;
  lines: OutlinePoint[];
  means: { x: number; y: number; label: string }[];
}

function subset(s: SplitLatents, idx: number[], dim: number): SplitLatents {
  return { count: idx.length, mu: gatherRows(s.mu, dim, idx), logVar: gatherRows(s.logVar, dim, idx), labels: gatherRows(s.labels, 1, idx) };
}

function panel(title: string, s: SplitLatents, dims: [number, number], latentDim: number, names: string[], segments: number): Panel {
  const gaussians = classGaussians(s.mu, s.logVar, s.labels, s.count, latentDim, dims, names.length);
  const name = (label: number) => names[label] ?? String(label);
  return {
    title: `${title}\n${s.count} images`,
    lines: gaussians.flatMap((g) => ellipseOutlines(g.mean, g.cov, name(g.label), SIGMAS, segments)),
    means: gaussians.map((g) => ({ x: g.mean[0], y: g.mean[1], label: name(g.label) })),
  };
}

/** Four panels on one shared scale: class ellipses over the dashed prior circles, class names at the means. */
function contourSpec(panels: Panel[], names: string[], axes: [string, string], o: { width: number; segments: number }, labelMeans: boolean): TopLevelSpec {
  const prior = ellipseOutlines([0, 0], [[1, 0], [0, 1]], 'prior', SIGMAS, o.segments);
  const all = [...panels.flatMap((p) => p.lines), ...prior];
  const [xd, yd] = [paddedRange(all.map((r) => r.x)), paddedRange(all.map((r) => r.y))];
  const x = { field: 'x', type: 'quantitative' as const, scale: { domain: xd, nice: false, zero: false } };
  const y = { field: 'y', type: 'quantitative' as const, scale: { domain: yd, nice: false, zero: false } };
  const colour = { field: 'label', type: 'nominal' as const, scale: { domain: names, range: CLASS_COLOURS.slice(0, names.length) }, legend: { title: 'class' } };
  const sigma = { field: 'sigma', type: 'ordinal' as const, scale: { domain: SIGMAS.map((k) => `${k}σ`), range: OPACITY }, legend: { title: 'ellipse' } };
  const line = { detail: { field: 'key' }, order: { field: 'i' }, strokeOpacity: sigma };
  return {
    hconcat: panels.map((p, i) => ({
      title: { text: p.title.split('\n'), fontSize: 12 },
      ...equalAspect(xd, yd, o.width),
      layer: [
        {
          data: { values: prior },
          mark: { type: 'line', color: '#8a8f98', strokeDash: [4, 3], strokeWidth: 1 },
          encoding: {
            x: { ...x, axis: { title: axes[0], grid: true } },
            // One shared scale: only the first panel repeats the y labels.
            y: { ...y, axis: i === 0 ? { title: axes[1], grid: true } : { title: null, labels: false, grid: true } },
            ...line,
          },
        },
        { data: { values: p.lines }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color: colour, ...line } },
        ...(labelMeans
          ? [{ data: { values: p.means }, mark: { type: 'text' as const, fontWeight: 'bold' as const, fontSize: 11 }, encoding: { x, y, text: { field: 'label' }, color: colour } }]
          : []),
      ],
    })),
    spacing: 14,
  };
}

export const contoursStage: Stage<z.infer<typeof Options>> = {
  type: 'contours',
  options: Options,
  inDefault: (config) => config.model.latentDim >= 2,
  applies: (config) => (config.model.latentDim >= 2 ? true : 'needs latentDim >= 2'),
  async run(ctx, options) {
    const { latentDim, kind } = ctx.spec();
    const { splits } = ctx.latents();
    const [test, train] = [splits.test!, splits.train!];
    const dims = latentPlane(ctx);
    const half = seededSubset(train.count, Math.floor(train.count / 2));
    const inHalf = new Set(half);
    const other = Array.from({ length: train.count }, (_, i) => i).filter((i) => !inHalf.has(i));
    const draw = (title: string, s: SplitLatents) => panel(title, s, dims, latentDim, ctx.classNames, options.segments);
    const panels = [
      draw('test set', test),
      draw('training set', train),
      draw('training half A', subset(train, half, latentDim)),
      draw('training half B', subset(train, other, latentDim)),
    ];
    const cvae = kind === 'cvae';
    const axes: [string, string] = [zName(dims[0]), zName(dims[1])];
    const svg = await renderSvg(contourSpec(panels, ctx.classNames, axes, options, !cvae));
    const plane = latentDim === 2 ? axes.join(', ') : `${axes.join(', ')} (the two dimensions with the largest average KL, of ${latentDim})`;
    return {
      title: cvae ? 'Class posteriors against the prior' : 'Per-class contours of the latent space',
      caption:
        `For each class, the Gaussian that matches the encoder's posteriors over its images (mean of the means; covariance = mean of the ` +
        `posterior variances + covariance of the means), drawn in the plane ${plane} as ellipses of equal probability at 1, 2 and 3 ` +
        `standard deviations (strong to faint) in the class colour; the dashed gray circles are the N(0, I) prior at the same radii. ` +
        `The four panels share one scale: the test set, the training set, and two disjoint random halves of the training set. ` +
        (cvae
          ? 'A CVAE is given the label, so every class posterior should sit on the prior: overlapping ellipses centred near the origin mean z carries style, not class.'
          : 'Class names mark the class means. If the four panels agree, the layout of the latent space is a property of the model, not of the images drawn.'),
      body: svg,
      files: [],
    };
  },
};
