import { join } from 'node:path';
import { z } from 'zod';
import { VaelabError } from '../../errors.js';
import { aggregateStd } from '../analysis/posterior-stats.js';
import { decodeZ, repeatLabel } from '../decode.js';
import { renderSvg } from '../figures/charts.js';
import { zName } from '../figures/format.js';
import { gridSpec } from '../figures/grid-figure.js';
import { html, joinHtml, type SafeHtml } from '../figures/html.js';
import { writeTiles } from '../figures/images.js';
import type { Stage } from '../types.js';

const Options = z.strictObject({
  images: z.array(z.int().min(0)).min(1).max(4).default([0]).describe('test images whose codes are traversed (test-set indices)'),
  steps: z.int().min(3).max(21).default(9).describe('values per dimension, from −range to +range'),
  range: z.number().gt(0).max(6).default(3).describe('half-width of the sweep in standard deviations of the aggregate posterior'),
  maxDims: z.int().min(1).max(64).default(12).describe('rows drawn: the active dimensions with the largest KL first'),
  scale: z.int().min(1).max(6).default(2).describe('pixels per image pixel'),
});

/** Rows of the figure: the active dimensions by KL, largest first (or, when none is active, the strongest two, said so). */
export function traversalDims(klPerDim: readonly number[], muVariance: readonly number[], threshold: number, maxDims: number): { dims: number[]; active: boolean } {
  const byKl = klPerDim.map((kl, j) => ({ kl, j })).sort((a, b) => b.kl - a.kl || a.j - b.j);
  const active = byKl.filter(({ j }) => muVariance[j]! > threshold);
  if (active.length > 0) return { dims: active.slice(0, maxDims).map(({ j }) => j), active: true };
  return { dims: byKl.slice(0, Math.min(2, byKl.length, maxDims)).map(({ j }) => j), active: false };
}

/** [dims * steps, latentDim] codes: the base code with one dimension at a time moved to base + t·sd, t over ±range. */
export function traversalCodes(base: Float32Array, dims: readonly number[], sd: ArrayLike<number>, steps: number, range: number): Float32Array {
  const d = base.length;
  const out = new Float32Array(dims.length * steps * d);
  dims.forEach((j, r) => {
    for (let s = 0; s < steps; s++) {
      const row = out.subarray((r * steps + s) * d, (r * steps + s + 1) * d);
      row.set(base);
      row[j] = base[j]! + (-range + (2 * range * s) / (steps - 1)) * sd[j]!;
    }
  });
  return out;
}

export const traversalsStage: Stage<z.infer<typeof Options>> = {
  type: 'traversals',
  options: Options,
  inDefault: () => true,
  needs: ['continuousLatent', 'gaussianPosterior'], // its rows are ordered and labelled by each dimension's KL
  applies: () => true,
  async run(ctx, options) {
    const vae = await ctx.vae();
    const { latentDim, numClasses, kind, height, width } = ctx.spec();
    const test = ctx.latents().splits.test!;
    const usage = ctx.latentUsage();
    const { dims, active } = traversalDims(usage.klPerDim, usage.muVariance, usage.threshold, options.maxDims);
    const sd = aggregateStd(test, latentDim);
    const fmt = (t: number) => (t === 0 ? '0' : `${t > 0 ? '+' : '−'}${Math.abs(t).toFixed(1)}σ`);
    const xLabels = Array.from({ length: options.steps }, (_, s) => fmt(-options.range + (2 * options.range * s) / (options.steps - 1)));
    const name = (label: number) => ctx.classNames[label] ?? String(label);
    const panels: SafeHtml[] = [];
    const files: string[] = [];
    for (const idx of options.images) {
      if (idx >= test.count) throw new VaelabError(`traversals: test image ${idx} does not exist (the run has ${test.count} test images)`);
      const base = test.mu.slice(idx * latentDim, (idx + 1) * latentDim);
      const count = dims.length * options.steps;
      const label = test.labels[idx]!;
      const pixels = await decodeZ(vae, traversalCodes(base, dims, sd, options.steps, options.range), count, kind === 'cvae' ? repeatLabel(label, count, numClasses) : null);
      const file = `traversals-${idx}.png`;
      const size = writeTiles(join(ctx.outDir, file), pixels, count, { cols: options.steps, scale: options.scale, gap: options.scale, size: { height, width } });
      const yLabels = dims.map((j) => `${zName(j)} (KL ${usage.klPerDim[j]!.toFixed(2)})`);
      const svg = await renderSvg(gridSpec({ src: file, ...size, cols: options.steps, rows: dims.length, tile: width * options.scale, gap: options.scale, xLabels, yLabels, xTitle: 'offset from the image\'s code, in aggregate-posterior sd', yTitle: '' }));
      panels.push(html`<div class="panel"><h3>Test image #${idx} (a ${name(label)})</h3>${svg}</div>`);
      files.push(file);
    }
    const which = active
      ? `the ${dims.length === usage.activeUnits ? `${dims.length} active` : `${dims.length} of the ${usage.activeUnits} active`} dimensions (variance of the posterior mean over the test set > ${usage.threshold}), largest KL first`
      : `no dimension is active (variance of the posterior mean > ${usage.threshold}), so the two with the largest KL are shown: expect little or no change along them`;
    return {
      title: 'Latent traversals',
      caption:
        `Varying one latent dimension at a time: each row starts from a test image's posterior mean and moves one dimension from ` +
        `−${options.range} to +${options.range} standard deviations of the aggregate posterior (sd of the means and the posteriors together, per dimension), ` +
        `the others held at the image's mean. Rows are ${which}. A row that changes one visible property (slant, width, thickness) is a ` +
        `disentangled dimension; a row that changes the digit's identity mixes factors.` + (kind === 'cvae' ? ' The CVAE is given the image\'s true label in every tile.' : ''),
      body: html`<div class="panels">${joinHtml(panels, '\n')}</div>`,
      files,
    };
  },
};
