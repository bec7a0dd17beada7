import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import type { SplitLatents } from '../../run/latents.js';
import { firstOfEachClass, gatherRows } from '../analysis/picks.js';
import { renderSvg } from '../figures/charts.js';
import { fmt, zName } from '../figures/format.js';
import { gridSpec } from '../figures/grid-figure.js';
import { html, table } from '../figures/html.js';
import { writeTiles } from '../figures/images.js';
import { classColour } from '../figures/palette.js';
import type { RunLatentUsage, Stage } from '../types.js';
import { familyNote } from './shared/family-note.js';

const Options = z.strictObject({
  classes: z.array(z.int().min(0)).min(1).max(10).default([0, 1, 2, 3, 4]).describe('show the first test example of each of these classes'),
});

interface Pick {
  label: number;
  idx: number; // test index
  name: string; // "3 (#18)": class and test index
}

/** Posterior mean (dot) and +-1 sd (bar) of each picked image in each dimension, over the prior's +-1 band. */
function perImageSpec(test: SplitLatents, latentDim: number, picks: Pick[]): TopLevelSpec {
  const dims = Array.from({ length: latentDim }, (_, j) => zName(j));
  const rows = picks.flatMap((p) =>
    dims.map((dim, j) => {
      const mu = test.mu[p.idx * latentDim + j]!;
      const sd = Math.exp(test.logVar[p.idx * latentDim + j]! / 2);
      return { dim, image: p.name, mu, lo: mu - sd, hi: mu + sd };
    }),
  );
  const byImage = {
    x: { field: 'dim', type: 'nominal' as const, sort: dims, axis: { title: 'latent dimension', labelAngle: 0 } },
    xOffset: { field: 'image', type: 'nominal' as const, sort: picks.map((p) => p.name) },
    color: {
      field: 'image', type: 'nominal' as const,
      scale: { domain: picks.map((p) => p.name), range: picks.map((p) => classColour(p.label)) }, legend: { title: 'test image' },
    },
  };
  return {
    width: Math.max(240, latentDim * picks.length * 12),
    height: 200,
    layer: [
      // The prior's mean +- 1 sd: where an unused dimension's posterior sits for every image.
      {
        data: { values: [{ lo: -1, hi: 1 }] },
        mark: { type: 'rect', color: '#eceef2' },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, x: { value: 0 }, x2: { value: 'width' } },
      },
      {
        data: { values: rows },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: { ...byImage, y: { field: 'lo', type: 'quantitative', axis: { title: 'posterior mean ± 1 sd' } }, y2: { field: 'hi' } },
      },
      { data: { values: rows }, mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { ...byImage, y: { field: 'mu', type: 'quantitative' } } },
    ],
  };
}

/** Average KL per dimension as bars, active dimensions in colour, each bar labelled with its value. */
function klSpec(kl: readonly number[], active: readonly number[]): TopLevelSpec {
  const values = kl.map((v, j) => ({ dim: zName(j), kl: v, state: active.includes(j) ? 'active' : 'inactive' }));
  const y = { field: 'kl', type: 'quantitative' as const };
  return {
    width: { step: 36 },
    height: 200,
    data: { values },
    encoding: { x: { field: 'dim', type: 'nominal', sort: values.map((v) => v.dim), axis: { title: 'latent dimension', labelAngle: 0 } } },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { ...y, axis: { title: 'average KL (nats)' } },
          color: { field: 'state', type: 'nominal', scale: { domain: ['active', 'inactive'], range: ['#0077BB', '#BBBBBB'] }, legend: { title: null } },
        },
      },
      { mark: { type: 'text', dy: -6, fontSize: 10, color: '#3a4150' }, encoding: { y, text: { field: 'kl', type: 'quantitative', format: '.2f' } } },
    ],
  };
}

/** The active-unit rule, said in the caption with where its numbers come from. */
function activeRule(u: RunLatentUsage): string {
  const from = u.source === 'metrics.json' ? "the run's evaluation (metrics.json)" : "the saved test latents, by the rule of the run's evaluation (this run has no metrics.json yet)";
  return (
    `A dimension is counted active (in colour) when the variance over the test images of its posterior mean exceeds ${u.threshold} ` +
    `(eval.activeThreshold): its code then changes with the image. Numbers from ${from}.`
  );
}

export const latentStatsStage: Stage<z.infer<typeof Options>> = {
  type: 'latentStats',
  options: Options,
  inDefault: () => true,
  needs: ['continuousLatent', 'gaussianPosterior'],
  applies: () => true,
  async run(ctx, options) {
    const { latentDim, imageSize, height, width } = ctx.spec();
    const test = ctx.latents().splits.test!;
    const first = firstOfEachClass(test.labels, ctx.classNames.length);
    const picks: Pick[] = options.classes.flatMap((label) => {
      const idx = first[label] ?? -1;
      return idx < 0 ? [] : [{ label, idx, name: `${ctx.classNames[label] ?? label} (#${idx})` }];
    });
    const { images } = (await ctx.dataset()).test;
    const thumbs = gatherRows(images, imageSize, picks.map((p) => p.idx));
    const file = 'latent-stats-digits.png';
    const size = writeTiles(join(ctx.outDir, file), thumbs, picks.length, { cols: picks.length, scale: 2, gap: 24, size: { height, width } });
    const strip = await renderSvg(
      gridSpec({
        src: file, ...size, cols: picks.length, rows: 1, tile: 2 * width, gap: 24,
        xLabels: picks.map((p) => p.name), yLabels: null, xTitle: 'the test images (class, index)', yTitle: '',
      }),
    );
    const usage = ctx.latentUsage();
    const { klPerDim: kl, muVariance } = usage;
    const active = muVariance.flatMap((v, j) => (v > usage.threshold ? [j] : []));
    const [perImage, bars] = await Promise.all([renderSvg(perImageSpec(test, latentDim, picks)), renderSvg(klSpec(kl, active))]);
    const cells = kl.map((v, j) => [
      zName(j),
      ...picks.map((p) => `${fmt(test.mu[p.idx * latentDim + j]!)} / ${fmt(Math.exp(test.logVar[p.idx * latentDim + j]!))}`),
      muVariance[j]!.toFixed(3),
      v.toFixed(3),
    ]);
    const numbers = table(['dimension', ...picks.map((p) => `${p.name}: mean / variance`), 'variance of the mean', 'average KL (nats)'], cells);
    const activeText = active.length === 0 ? 'none' : active.map(zName).join(', ');
    return {
      title: 'Latent dimensions',
      caption:
        `Posterior of each image: for the first test example of ${picks.length === 1 ? 'one class' : `${picks.length} classes`} (pictured), the encoder's posterior ` +
        `mean (dot) and ± one standard deviation (bar) in each of the ${latentDim} latent dimensions; the gray band is the prior's ±1. A dimension ` +
        `whose bar fills that band for every image is ignored (its posterior equals the prior). Average KL per dimension: the KL of each dimension from the prior, ` +
        `averaged over the ${test.count} test images. ${activeRule(usage)} Active: ${activeText} ` +
        `(${active.length} of ${latentDim}). The table gives the numbers.` + familyNote(ctx.config, 'codes') + familyNote(ctx.config, 'activity'),
      body: html`${strip}\n<div class="panels"><div class="panel"><h3>Posterior of each image, per dimension</h3>${perImage}</div><div class="panel"><h3>Average KL per dimension</h3>${bars}</div></div>\n<details><summary>The numbers</summary>${numbers}</details>`,
      files: [file],
    };
  },
};
