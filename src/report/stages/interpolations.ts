import { join } from 'node:path';
import { z } from 'zod';
import { oneHot } from '../../data/batches.js';
import { VaelabError } from '../../errors.js';
import type { VaeSpec } from '../../models/types.js';
import type { Vae } from '../../models/family.js';
import { firstOfEachClass } from '../analysis/picks.js';
import { decodeZ } from '../decode.js';
import { renderSvg } from '../figures/charts.js';
import { writeGif } from '../figures/gif.js';
import { gridSpec } from '../figures/grid-figure.js';
import { html, img, joinHtml, type SafeHtml } from '../figures/html.js';
import { tileGray, writeTiles } from '../figures/images.js';
import type { ReportContext, Stage } from '../types.js';

const Options = z.strictObject({
  from: z.array(z.int().min(0)).min(1).max(4).default([1, 6]).describe('classes to start from (the first test example of each)'),
  steps: z.int().min(3).max(30).default(10).describe('images per path in the strips, both ends included'),
  frames: z.int().min(10).max(120).default(30).describe('frames from start to end in each pair\'s GIF (it plays there and back)'),
  scale: z.int().min(1).max(6).default(2).describe('pixels per image pixel in the strips'),
  gifScale: z.int().min(1).max(8).default(3).describe('pixels per image pixel in the GIFs'),
  frameMs: z.int().min(20).max(2000).default(60).describe('GIF frame duration'),
});

/** Row-major [paths * steps, width] points on the straight lines from a to each b (t = 0 .. 1). */
export function linePoints(a: Float32Array, bs: Float32Array[], steps: number): Float32Array {
  const d = a.length;
  const out = new Float32Array(bs.length * steps * d);
  bs.forEach((b, p) => {
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      for (let j = 0; j < d; j++) out[(p * steps + s) * d + j] = (1 - t) * a[j]! + t * b[j]!;
    }
  });
  return out;
}

interface Path {
  source: number;
  targets: number[]; // classes
  pixels: Float32Array; // [targets * steps, imageSize]
}

async function decodePaths(ctx: ReportContext, vae: Vae, source: number, first: number[], steps: number): Promise<Path> {
  const { latentDim, numClasses, kind } = ctx.spec();
  const test = ctx.latents().splits.test!;
  const mu = (idx: number) => test.mu.slice(idx * latentDim, (idx + 1) * latentDim);
  const targets = first.flatMap((idx, label) => (idx >= 0 && label !== source ? [label] : []));
  const z = linePoints(mu(first[source]!), targets.map((t) => mu(first[t]!)), steps);
  // A cvae walks its one-hot label along the same line, from the source class to the target's.
  const y = kind === 'cvae' ? linePoints(oneHot(Uint8Array.of(source), numClasses), targets.map((t) => oneHot(Uint8Array.of(t), numClasses)), steps) : null;
  return { source, targets, pixels: await decodeZ(vae, z, targets.length * steps, y) };
}

/** One GIF per pair: path k's images from t = 0 to 1 and back (the ends shown once), as grayscale frames. */
function pairFrames(p: Path, k: number, frames: number, { imageSize, height, width }: VaeSpec): Uint8Array[] {
  const order = [...Array(frames).keys(), ...Array.from({ length: frames - 2 }, (_, i) => frames - 2 - i)];
  return order.map((s) => tileGray(p.pixels.subarray((k * frames + s) * imageSize, (k * frames + s + 1) * imageSize), 1, { cols: 1, size: { height, width } }).gray);
}

export const interpolationsStage: Stage<z.infer<typeof Options>> = {
  type: 'interpolations',
  options: Options,
  inDefault: () => true,
  needs: ['continuousLatent'],
  applies: () => true,
  async run(ctx, options) {
    const vae = await ctx.vae();
    const spec = ctx.spec();
    const test = ctx.latents().splits.test!;
    const first = firstOfEachClass(test.labels, ctx.classNames.length);
    const name = (c: number) => ctx.classNames[c] ?? String(c);
    const parts: SafeHtml[] = [];
    const files: string[] = [];
    for (const source of options.from) {
      if (first[source] === undefined || first[source] < 0) throw new VaelabError(`interpolations: no test example of class ${source} to start from`);
      const path = await decodePaths(ctx, vae, source, first, options.steps);
      const png = `interpolations-from-${source}.png`;
      const gap = 2 * options.scale;
      const size = writeTiles(join(ctx.outDir, png), path.pixels, path.targets.length * options.steps, { cols: options.steps, scale: options.scale, gap, size: { height: spec.height, width: spec.width } });
      const ts = Array.from({ length: options.steps }, (_, s) => (s / (options.steps - 1)).toFixed(2));
      const svg = await renderSvg(
        gridSpec({
          src: png, ...size, cols: options.steps, rows: path.targets.length, tile: spec.width * options.scale, gap,
          xLabels: ts, yLabels: path.targets.map((t) => `${name(source)} → ${name(t)}`),
          xTitle: 't along the line from start (0) to end (1)', yTitle: '',
        }),
      );
      files.push(png);
      const smooth = await decodePaths(ctx, vae, source, first, options.frames);
      const gifSize = { width: spec.width * options.gifScale, height: spec.height * options.gifScale };
      const gallery = smooth.targets.map((target, k) => {
        const gif = `interpolation-${source}-to-${target}.gif`;
        writeGif(join(ctx.outDir, gif), pairFrames(smooth, k, options.frames, spec), spec.width, spec.height, { scale: options.gifScale, delayMs: options.frameMs });
        files.push(gif);
        return html`<figure class="anim">${img(gif, `animation from ${name(source)} to ${name(target)}`, gifSize, 'gif digits')}<figcaption>${name(source)} → ${name(target)}</figcaption></figure>`;
      });
      parts.push(html`<div class="panel"><h3>From the first test ${name(source)}</h3>${svg}<div class="gallery">${joinHtml(gallery, '\n')}</div></div>`);
    }
    return {
      title: 'Interpolations in latent space',
      caption:
        `Straight lines in latent space from the posterior mean of the first test ${options.from.map(name).join(' and of the first test ')} to ` +
        `the first test example of every other class, decoded at ${options.steps} evenly spaced points (t = 0 is the start, t = 1 the end). ` +
        `Each row is one path; below it, each pair's path as an animation of ${options.frames} frames from start to end, played there and back. ` +
        `Smooth changes with recognisable digits all the way mean ` +
        `the space between classes is used; a sudden jump or a blur marks a region the model never learned.` +
        (spec.kind === 'cvae' ? ' The CVAE\'s one-hot label moves along the same line, so halfway the decoder sees half of each label.' : ''),
      body: html`<div class="panels">${joinHtml(parts, '\n')}</div>`,
      files,
    };
  },
};
