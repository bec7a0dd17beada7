import type { TopLevelSpec } from 'vega-lite';
import { latentUsage } from '../../eval/active-units.js';
import { readLatents, type SplitLatents } from '../../run/latents.js';
import { classGaussians } from '../analysis/class-gaussians.js';
import { meansIn2d } from '../analysis/pca.js';
import { column, gatherRows, seededSubset } from '../analysis/picks.js';
import { strongestPair } from '../analysis/posterior-stats.js';
import type { RunSummary } from '../catalog/run-summary.js';
import { renderSvg } from '../figures/charts.js';
import { ellipseOutlines, type OutlinePoint } from '../figures/ellipses.js';
import { zName } from '../figures/format.js';
import type { SafeHtml } from '../figures/html.js';
import { CLASS_COLOURS } from '../figures/palette.js';
import { equalAspect, paddedRange } from '../figures/scatter.js';

/** Points per scatter panel: a fixed seeded subset, the same images in every run (they share the data). */
export const SCATTER_POINTS = 1000;
const SIDE = 250; // longer side of a panel in pixels
const COLUMNS = 3; // panels per row
const SIGMAS = [1, 2] as const;
const SEGMENTS = 48; // points per ellipse, as the run report's contours

interface Point {
  x: number;
  y: number;
  label: string;
}
interface LatentPanel {
  title: string;
  axes: [string, string];
  points: Point[]; // scatter
  lines: OutlinePoint[]; // contours: class ellipses
  means: Point[]; // contours: class names at the class means
}

/** The scatter: posterior means for latentDim 2, else their first two principal components (per run). */
function scatterPanel(title: string, test: SplitLatents, dim: number, names: readonly string[]): LatentPanel {
  const pick = seededSubset(test.count, SCATTER_POINTS);
  const labels = Array.from(gatherRows(test.labels, 1, pick), (l) => names[l] ?? String(l));
  const { xy, explained } = meansIn2d(test.mu, test.count, dim, pick);
  const axes: [string, string] = explained === null ? [zName(0), zName(1)] : [`PC1 (${(100 * explained[0]).toFixed(0)}%)`, `PC2 (${(100 * explained[1]).toFixed(0)}%)`];
  const [xs, ys] = [column(xy, 2, 0), column(xy, 2, 1)];
  return { title, axes, points: labels.map((label, i) => ({ x: xs[i]!, y: ys[i]!, label })), lines: [], means: [] };
}

/** Class Gaussians in the plane of the two dimensions with the largest average KL, as the run report draws. */
function contourPanel(title: string, test: SplitLatents, dim: number, threshold: number, names: readonly string[], labelMeans: boolean): LatentPanel {
  const dims = strongestPair(latentUsage(test.mu, test.logVar, test.count, dim, threshold).klPerDim);
  const gaussians = classGaussians(test.mu, test.logVar, test.labels, test.count, dim, dims, names.length);
  const name = (l: number) => names[l] ?? String(l);
  return {
    title,
    axes: [zName(dims[0]), zName(dims[1])],
    points: [],
    lines: gaussians.flatMap((g) => ellipseOutlines(g.mean, g.cov, name(g.label), SIGMAS, SEGMENTS)),
    means: labelMeans ? gaussians.map((g) => ({ x: g.mean[0], y: g.mean[1], label: name(g.label) })) : [],
  };
}

/** Every panel on one x and one y domain, so a unit is as long in each run's picture. */
function panelsSpec(panels: readonly LatentPanel[], names: readonly string[], prior: boolean): TopLevelSpec {
  const circle = prior ? ellipseOutlines([0, 0], [[1, 0], [0, 1]], 'prior', SIGMAS, SEGMENTS) : [];
  const all = [...panels.flatMap((p) => [...p.points, ...p.lines]), ...circle];
  const [xd, yd] = [paddedRange(all.map((r) => r.x)), paddedRange(all.map((r) => r.y))];
  const x = { field: 'x', type: 'quantitative' as const, scale: { domain: xd, nice: false, zero: false } };
  const y = { field: 'y', type: 'quantitative' as const, scale: { domain: yd, nice: false, zero: false } };
  const colour = { field: 'label', type: 'nominal' as const, scale: { domain: [...names], range: CLASS_COLOURS.slice(0, names.length) }, legend: { title: 'class', symbolOpacity: 1 } };
  const line = { detail: { field: 'key' }, order: { field: 'i' } };
  return {
    concat: panels.map((p) => ({
      title: { text: p.title, fontSize: 12, limit: SIDE + 40 },
      ...equalAspect(xd, yd, SIDE),
      layer: [
        ...(circle.length > 0
          ? [{ data: { values: circle }, mark: { type: 'line' as const, color: '#8a8f98', strokeDash: [4, 3], strokeWidth: 1 }, encoding: { ...line } }]
          : []),
        ...(p.points.length > 0 ? [{ data: { values: p.points }, mark: { type: 'circle' as const, size: 10, opacity: 0.7 }, encoding: { color: colour } }] : []),
        ...(p.lines.length > 0 ? [{ data: { values: p.lines }, mark: { type: 'line' as const, strokeWidth: 1.3 }, encoding: { color: colour, ...line } }] : []),
        ...(p.means.length > 0
          ? [{ data: { values: p.means }, mark: { type: 'text' as const, fontWeight: 'bold' as const, fontSize: 11 }, encoding: { text: { field: 'label' }, color: colour } }]
          : []),
      ],
      // Shared by the layers: one axis per panel, on the comparison's common domain.
      encoding: { x: { ...x, axis: { title: p.axes[0], grid: true } }, y: { ...y, axis: { title: p.axes[1], grid: true } } },
    })),
    columns: COLUMNS,
    spacing: 18,
  };
}

export interface LatentFigures {
  scatter: SafeHtml | null; // SVG; null when no run saved latents
  contours: SafeHtml | null;
  missing: string[]; // labels of runs without saved latents
}

/** Scatter and contour panels of every run that saved latents, each figure on its own shared scale. */
export async function latentFigures(runs: readonly RunSummary[], labels: readonly string[], names: readonly string[]): Promise<LatentFigures> {
  const scatter: LatentPanel[] = [];
  const contours: LatentPanel[] = [];
  const missing: string[] = [];
  runs.forEach((r, i) => {
    const label = labels[i]!;
    const latents = r.hasLatents ? readLatents(r.runDir) : undefined;
    const test = latents?.splits.test;
    if (latents === undefined || test === undefined || latents.latentDim < 2) return void missing.push(label);
    scatter.push(scatterPanel(label, test, latents.latentDim, names));
    contours.push(contourPanel(label, test, latents.latentDim, r.config.eval.activeThreshold, names, r.config.model.kind === 'vae'));
  });
  if (scatter.length === 0) return { scatter: null, contours: null, missing };
  return {
    scatter: await renderSvg(panelsSpec(scatter, names, false)),
    contours: await renderSvg(panelsSpec(contours, names, true)),
    missing,
  };
}
