import type { TopLevelSpec } from 'vega-lite';
import type { ClassGaussian } from '../analysis/class-gaussians.js';
import { ellipseOutlines, type OutlinePoint } from './ellipses.js';
import { CLASS_COLOURS } from './palette.js';
import { equalAspect } from './scatter.js';

export const SIGMAS = [1, 2, 3] as const;
const OPACITY = [1, 0.6, 0.35]; // 1, 2, 3 sigma: the inner ellipse strongest

export interface EllipsePanel {
  title: string[]; // lines
  gaussians: readonly ClassGaussian[];
  classNames: readonly string[];
  domains: [[number, number], [number, number]];
  axes: [string, string];
  side: number; // longer side in pixels
  segments: number; // points per ellipse
  labelMeans: boolean; // class names at the means (off where they would pile up)
  prior: boolean; // the N(0, I) circles, dashed
  legend: boolean;
}

/** Class ellipses at 1, 2 and 3 sigma in the class colours, optionally over the prior's circles, on a fixed domain. */
export function ellipsePanelSpec(p: EllipsePanel): TopLevelSpec {
  const name = (label: number) => p.classNames[label] ?? String(label);
  const lines: OutlinePoint[] = p.gaussians.flatMap((g) => ellipseOutlines(g.mean, g.cov, name(g.label), SIGMAS, p.segments));
  const prior = p.prior ? ellipseOutlines([0, 0], [[1, 0], [0, 1]], 'prior', SIGMAS, p.segments) : [];
  const [xd, yd] = p.domains;
  // clip: ellipses past a fixed axis range are cut at the frame, as matplotlib's fixed limits do
  const x = { field: 'x', type: 'quantitative' as const, scale: { domain: xd, nice: false, zero: false }, axis: { title: p.axes[0], grid: true } };
  const y = { field: 'y', type: 'quantitative' as const, scale: { domain: yd, nice: false, zero: false }, axis: { title: p.axes[1], grid: true } };
  const colour = {
    field: 'label', type: 'nominal' as const, scale: { domain: [...p.classNames], range: CLASS_COLOURS.slice(0, p.classNames.length) },
    legend: p.legend ? { title: 'class' } : null,
  };
  const sigma = { field: 'sigma', type: 'ordinal' as const, scale: { domain: SIGMAS.map((k) => `${k}σ`), range: OPACITY }, legend: p.legend ? { title: 'ellipse' } : null };
  const line = { detail: { field: 'key' }, order: { field: 'i' }, strokeOpacity: sigma };
  const means = p.gaussians.map((g) => ({ x: g.mean[0], y: g.mean[1], label: name(g.label) }));
  return {
    title: { text: p.title, fontSize: 12 },
    ...equalAspect(xd, yd, p.side),
    layer: [
      ...(prior.length > 0 ? [{ data: { values: prior }, mark: { type: 'line' as const, color: '#8a8f98', strokeDash: [4, 3], strokeWidth: 1, clip: true }, encoding: { x, y, ...line } }] : []),
      { data: { values: lines }, mark: { type: 'line', strokeWidth: 1.5, clip: true }, encoding: { x, y, color: colour, ...line } },
      ...(p.labelMeans
        ? [{ data: { values: means.filter((m) => m.x >= xd[0] && m.x <= xd[1] && m.y >= yd[0] && m.y <= yd[1]) }, mark: { type: 'text' as const, fontWeight: 'bold' as const, fontSize: 11 }, encoding: { x, y, text: { field: 'label' }, color: colour } }]
        : []),
    ],
  };
}
