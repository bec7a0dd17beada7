import type { TopLevelSpec } from 'vega-lite';
import { latentUsage } from '../../eval/active-units.js';
import type { SplitLatents } from '../../run/latents.js';
import type { LatentsOf } from './beta-trends.js';
import { classGaussians } from '../analysis/class-gaussians.js';
import { pca2, projectOnto } from '../analysis/pca.js';
import { sampleLatents } from '../analysis/sampled-latents.js';
import { strongestPair } from '../analysis/posterior-stats.js';
import type { RunSummary } from '../catalog/run-summary.js';
import { renderSvg } from '../figures/charts.js';
import { ellipseOutlines, type OutlinePoint } from '../figures/ellipses.js';
import { zName } from '../figures/format.js';
import { html, joinHtml, type SafeHtml } from '../figures/html.js';
import { rasterPanel, sharedRange } from '../figures/raster-panel.js';
import { toggle } from '../figures/toggle.js';
import { CLASS_COLOURS } from '../figures/palette.js';
import { equalAspect, paddedRange } from '../figures/scatter.js';

const SIDE = 250; // longer side of a panel in pixels
const COLUMNS = 3; // panels per row
const SIGMAS = [1, 2] as const;
const SEGMENTS = 48; // points per ellipse, as the run report's contours
const SAMPLE_SEED = 0x5a3; // one fixed draw of eps for every run, so differences come from the posteriors

interface Point {
  x: number;
  y: number;
  label: string;
}
interface LatentPanel {
  title: string;
  axes: [string, string];
  lines: OutlinePoint[]; // contours: class ellipses
  means: Point[]; // contours: class names at the class means
}

interface RunPlane {
  label: string;
  axes: [string, string];
  sampled: Float32Array; // [count, 2]: one z per test image, projected like the means
  means: Float32Array;
  labels: Uint8Array;
}

/** A run's test codes in its plane: the latents themselves for latentDim 2, else their means' first two principal components. */
function runPlane(label: string, test: SplitLatents, dim: number): RunPlane {
  const z = sampleLatents(test.mu, test.logVar, test.count, dim, SAMPLE_SEED);
  if (dim === 2) return { label, axes: [zName(0), zName(1)], sampled: z, means: test.mu, labels: test.labels };
  const pca = pca2(test.mu, test.count, dim);
  const axes: [string, string] = [`PC1 (${(100 * pca.explained[0]).toFixed(0)}%)`, `PC2 (${(100 * pca.explained[1]).toFixed(0)}%)`];
  return { label, axes, sampled: projectOnto(z, test.count, dim, pca), means: pca.projected, labels: test.labels };
}

/**
 * Three views of every run's test set behind a toggle: sampled z with each panel on its own scale (a
 * collapsed or a wide code both fill their panel), sampled z on one scale, and the means on one scale.
 */
async function scatterViews(planes: readonly RunPlane[], names: readonly string[], outDir: string, group: string): Promise<SafeHtml> {
  const shared = (pick: (p: RunPlane) => Float32Array): [[number, number], [number, number]] => [sharedRange(planes.map(pick), 0), sharedRange(planes.map(pick), 1)];
  const [sampledShared, meansShared] = [shared((p) => p.sampled), shared((p) => p.means)];
  const view = async (key: string, pick: (p: RunPlane) => Float32Array, domains: (p: RunPlane) => [[number, number], [number, number]]) => {
    const panels = await Promise.all(
      planes.map((p, i) =>
        rasterPanel({ outDir, file: `latent-${key}-${i + 1}.png`, points: { xy: pick(p), labels: p.labels }, domains: domains(p), titles: p.axes, classNames: [...names], side: SIDE, title: p.label, legend: i === planes.length - 1 }),
      ),
    );
    return html`<div class="panels tight">${joinHtml(panels.map((s) => html`<div class="panel">${s}</div>`), '\n')}</div>`;
  };
  return toggle(group, [
    { label: 'sampled z, each on its own scale', body: await view('sampled-own', (p) => p.sampled, (p) => shared(() => p.sampled)) },
    { label: 'sampled z, one scale', body: await view('sampled-shared', (p) => p.sampled, () => sampledShared) },
    { label: 'posterior means, one scale', body: await view('means-shared', (p) => p.means, () => meansShared) },
  ]);
}

/** Class Gaussians in the plane of the two dimensions with the largest average KL, as the run report draws. */
function contourPanel(title: string, test: SplitLatents, dim: number, threshold: number, names: readonly string[], labelMeans: boolean): LatentPanel {
  const dims = strongestPair(latentUsage(test.mu, test.logVar, test.count, dim, threshold).klPerDim);
  const gaussians = classGaussians(test.mu, test.logVar, test.labels, test.count, dim, dims, names.length);
  const name = (l: number) => names[l] ?? String(l);
  return {
    title,
    axes: [zName(dims[0]), zName(dims[1])],
    lines: gaussians.flatMap((g) => ellipseOutlines(g.mean, g.cov, name(g.label), SIGMAS, SEGMENTS)),
    means: labelMeans ? gaussians.map((g) => ({ x: g.mean[0], y: g.mean[1], label: name(g.label) })) : [],
  };
}

/** Every contour panel on one x and one y domain, so a unit is as long in each run's picture. */
function panelsSpec(panels: readonly LatentPanel[], names: readonly string[]): TopLevelSpec {
  const circle = ellipseOutlines([0, 0], [[1, 0], [0, 1]], 'prior', SIGMAS, SEGMENTS);
  const all = [...panels.flatMap((p) => p.lines), ...circle];
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
  scatter: SafeHtml | null; // the toggled views; null when no run saved latents
  contours: SafeHtml | null;
  missing: string[]; // labels of runs without saved latents
}

/** Scatter and contour panels of every run that saved latents, each figure on its own shared scale. */
export async function latentFigures(runs: readonly RunSummary[], labels: readonly string[], names: readonly string[], outDir: string, latentsOf: LatentsOf): Promise<LatentFigures> {
  const scatter: RunPlane[] = [];
  const contours: LatentPanel[] = [];
  const missing: string[] = [];
  runs.forEach((r, i) => {
    const label = labels[i]!;
    const latents = latentsOf(r);
    const test = latents?.splits.test;
    if (latents === undefined || test === undefined || latents.latentDim < 2) return void missing.push(label);
    scatter.push(runPlane(label, test, latents.latentDim));
    contours.push(contourPanel(label, test, latents.latentDim, r.config.eval.activeThreshold, names, r.config.model.kind === 'vae'));
  });
  if (scatter.length === 0) return { scatter: null, contours: null, missing };
  return {
    scatter: await scatterViews(scatter, names, outDir, 'compare-latents'),
    contours: await renderSvg(panelsSpec(contours, names)),
    missing,
  };
}
