import type { TopLevelSpec } from 'vega-lite';
import { latentUsage } from '../../eval/active-units.js';
import { readLatents, type Latents, type SplitLatents } from '../../run/latents.js';
import type { RunSummary } from '../catalog/run-summary.js';
import { renderSvg } from '../figures/charts.js';
import type { SafeHtml } from '../figures/html.js';

/** A run's saved latents (undefined: it saved none), read at most once per comparison. */
export type LatentsOf = (run: RunSummary) => Latents | undefined;

export function latentsReader(): LatentsOf {
  const read = new Map<string, Latents | undefined>();
  return (r) => {
    if (!read.has(r.runDir)) read.set(r.runDir, r.hasLatents ? readLatents(r.runDir) : undefined);
    return read.get(r.runDir);
  };
}

/** What β does to a run's code, from its saved test latents. */
export interface LatentTrend {
  beta: number;
  group: string; // runs that differ in more than β are drawn as separate lines
  sdPerDim: number[]; // mean posterior sd of each dimension over the test images
  activeUnits: number;
  dim: number;
  meanAbsCorr: number | null; // mean |correlation| of the posterior means over pairs of dimensions; null below 2 usable dims
  fd: number | null; // FD of prior samples on the reference classifier (metrics.json), null when not measured
  linearProbe: number | null; // linear-probe accuracy of the posterior means (metrics.json)
}

/** Mean over pairs of dimensions (each with variance) of |Pearson correlation| of the posterior means. */
export function meanAbsCorrelation(mu: Float32Array, count: number, dim: number): number | null {
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j]! += mu[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= count;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < dim; a++) {
      const da = mu[i * dim + a]! - mean[a]!;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += da * (mu[i * dim + b]! - mean[b]!);
    }
  }
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < dim; a++) {
    for (let b = a + 1; b < dim; b++) {
      // a dimension without variance (rounding aside: latent means are of order 1) has no correlation
      if (!(cov[a * dim + a]! / count > 1e-10 && cov[b * dim + b]! / count > 1e-10)) continue;
      sum += Math.abs(cov[a * dim + b]! / Math.sqrt(cov[a * dim + a]! * cov[b * dim + b]!));
      pairs++;
    }
  }
  return pairs === 0 ? null : sum / pairs;
}

export function latentTrend(beta: number, group: string, test: SplitLatents, dim: number, threshold: number): LatentTrend {
  const sd = new Float64Array(dim);
  for (let i = 0; i < test.count; i++) for (let j = 0; j < dim; j++) sd[j]! += Math.exp(0.5 * test.logVar[i * dim + j]!) / test.count;
  const { activeUnits } = latentUsage(test.mu, test.logVar, test.count, dim, threshold);
  return { beta, group, sdPerDim: Array.from(sd), activeUnits, dim, meanAbsCorr: meanAbsCorrelation(test.mu, test.count, dim), fd: null, linearProbe: null };
}

function groupOf(r: RunSummary): string {
  const m = r.config.model;
  return `${m.kind} ${m.arch} z=${m.latentDim}`;
}

/** The trends of the runs that saved latents; null unless they span at least two values of β. */
export function betaTrends(runs: readonly RunSummary[], latentsOf: LatentsOf): LatentTrend[] | null {
  const trends = runs.flatMap((r) => {
    const latents = latentsOf(r);
    const test = latents?.splits.test;
    if (latents === undefined || test === undefined) return [];
    const trend = latentTrend(r.config.loss.beta, groupOf(r), test, latents.latentDim, r.config.eval.activeThreshold);
    return [{ ...trend, fd: r.final.sampleQuality?.fd.samples ?? null, linearProbe: r.final.latentKnowledge?.linearProbe ?? null }];
  });
  return new Set(trends.map((t) => t.beta)).size >= 2 ? trends.sort((a, b) => a.beta - b.beta) : null;
}

/**
 * Panels against β (an ordinal axis: β = 0 has no logarithm): posterior sd per dimension, active units,
 * |correlation|; below them, where the runs measured them, the FD of prior samples and the linear probe.
 */
export function betaTrendsSpec(trends: readonly LatentTrend[]): TopLevelSpec {
  const betas = [...new Set(trends.map((t) => t.beta))].map(String);
  const x = { field: 'beta', type: 'ordinal' as const, scale: { domain: betas }, axis: { title: 'β', labelAngle: 0 } };
  const colour = { field: 'group', type: 'nominal' as const, legend: { title: 'runs' } };
  const sd = trends.flatMap((t) => t.sdPerDim.map((v, j) => ({ beta: String(t.beta), group: t.group, key: `${t.group} z${j + 1}`, value: v })));
  const units = trends.map((t) => ({ beta: String(t.beta), group: t.group, value: t.activeUnits, of: t.dim }));
  const corr = trends.flatMap((t) => (t.meanAbsCorr === null ? [] : [{ beta: String(t.beta), group: t.group, value: t.meanAbsCorr }]));
  const panel = (title: string, yTitle: string, values: object[], detail: string) => ({
    title: { text: title, fontSize: 12, anchor: 'start' as const, frame: 'group' as const },
    width: 220,
    height: 170,
    data: { values },
    layer: [
      { mark: { type: 'line' as const, strokeWidth: 1.2, opacity: 0.7 }, encoding: { x, y: { field: 'value', type: 'quantitative' as const, axis: { title: yTitle } }, color: colour, detail: { field: detail } } },
      { mark: { type: 'point' as const, filled: true, size: 30 }, encoding: { x, y: { field: 'value', type: 'quantitative' as const }, color: colour } },
    ],
  });
  const latent = [
    panel('posterior sd per dimension', 'mean σ', sd, 'key'),
    panel('active units', 'units in use', units, 'group'),
    panel('|correlation| of the means', 'mean |r| over pairs', corr, 'group'),
  ];
  const of = (pick: (t: LatentTrend) => number | null) => trends.flatMap((t) => (pick(t) === null ? [] : [{ beta: String(t.beta), group: t.group, value: pick(t)! }]));
  const fd = of((t) => t.fd);
  const probe = of((t) => t.linearProbe);
  const beyond = [
    ...(fd.length > 0 ? [panel('FD of prior samples (lower is better)', 'FD, classifier features', fd, 'group')] : []),
    ...(probe.length > 0 ? [panel('linear probe of the means', 'test accuracy', probe, 'group')] : []),
  ];
  return beyond.length === 0 ? { hconcat: latent, spacing: 24 } : { vconcat: [{ hconcat: latent, spacing: 24 }, { hconcat: beyond, spacing: 24 }], spacing: 20 };
}

export async function betaTrendsSvg(trends: readonly LatentTrend[]): Promise<SafeHtml> {
  return renderSvg(betaTrendsSpec(trends));
}
