import { join } from 'node:path';
import { z } from 'zod';
import { oneHot } from '../../data/batches.js';
import { renderSvg } from '../charts.js';
import { reconstructImages } from '../decode.js';
import { gridSpec } from '../grid-figure.js';
import { writeTiles } from '../images.js';
import { firstOfEachClass, gatherRows, seededSubset } from '../picks.js';
import type { ReportContext, Stage } from '../types.js';

const Options = z.strictObject({
  extra: z.int().min(0).max(40).default(10).describe('test digits picked (fixed seed) beyond the first of each class'),
  pickFrom: z.int().min(1).default(1000).describe('the extra digits come from the first N test images, so runs on any test slice that large agree'),
  scale: z.int().min(1).max(6).default(2).describe('pixels per image pixel'),
});

/** Originals above their reconstructions for the test images `indices`, as a labelled two-row figure. */
async function pairFigure(ctx: ReportContext, indices: number[], file: string, xLabels: string[], xTitle: string, scale: number): Promise<string> {
  const [vae, data] = await Promise.all([ctx.vae(), ctx.dataset()]);
  const { imageSize, numClasses } = vae.spec;
  const x = gatherRows(data.test.images, imageSize, indices);
  const labels = gatherRows(data.test.labels, 1, indices);
  const recon = reconstructImages(vae, x, indices.length, oneHot(labels, numClasses));
  const both = new Float32Array(2 * x.length);
  both.set(x);
  both.set(recon, x.length);
  const gap = 4;
  const size = writeTiles(join(ctx.outDir, file), both, 2 * indices.length, { cols: indices.length, scale, gap });
  return renderSvg(
    gridSpec({ src: file, ...size, cols: indices.length, rows: 2, tile: 28 * scale, gap, xLabels, yLabels: ['original', 'reconstruction'], xTitle, yTitle: '' }),
  );
}

export const reconstructionsStage: Stage<z.infer<typeof Options>> = {
  type: 'reconstructions',
  options: Options,
  inDefault: () => true,
  applies: () => true,
  async run(ctx, options) {
    const { test } = await ctx.dataset();
    const first = firstOfEachClass(test.labels, ctx.classNames.length);
    const present = first.flatMap((idx, label) => (idx < 0 ? [] : [{ idx, label }]));
    const names = present.map((p) => ctx.classNames[p.label] ?? String(p.label));
    const firstSvg = await pairFigure(ctx, present.map((p) => p.idx), 'reconstructions-classes.png', names, 'first test example of each class', options.scale);
    const taken = new Set(present.map((p) => p.idx));
    const pool = Math.min(test.count, options.pickFrom);
    const extra = seededSubset(pool, Math.min(pool, options.extra + taken.size)).filter((i) => !taken.has(i)).slice(0, options.extra);
    const files = ['reconstructions-classes.png'];
    let body = firstSvg;
    if (extra.length > 0) {
      body += await pairFigure(ctx, extra, 'reconstructions-picked.png', extra.map((i) => `#${i}`), 'test image index (fixed seeded pick)', options.scale);
      files.push('reconstructions-picked.png');
    }
    return {
      title: 'Reconstructions',
      caption:
        `Test digits (upper row of each pair) and their reconstructions (lower row): each digit is encoded, its ` +
        `posterior mean decoded, and the pixel probabilities shown as gray levels. The first pair shows the first test ` +
        `example of each class; the second ${extra.length} images picked with a fixed seed from the first ${pool} test ` +
        `images. The same indices appear in every run, so reports compare digit for digit. Blurry, averaged strokes ` +
        `are typical of a small latent space.` + (ctx.config.model.kind === 'cvae' ? ' The CVAE is given each digit\'s true label.' : ''),
      body,
      files,
    };
  },
};
