import { join } from 'node:path';
import { z } from 'zod';
import { gridQuantiles } from '../analysis/normal-quantiles.js';
import { decodeZ, repeatLabel } from '../decode.js';
import { fmt, zName } from '../figures/format.js';
import { html, img, joinHtml, type SafeHtml } from '../figures/html.js';
import { writeTiles } from '../figures/images.js';
import { classColour } from '../figures/palette.js';
import type { Stage } from '../types.js';
import { gridZ } from './shared/latent-grid.js';
import { latentPlane } from './shared/plane.js';

const Options = z.strictObject({
  size: z.int().min(2).max(20).default(10).describe('tiles per side of each class grid'),
  scale: z.int().min(1).max(4).default(1).describe('pixels per image pixel'),
});

export const classManifoldsStage: Stage<z.infer<typeof Options>> = {
  type: 'classManifolds',
  options: Options,
  inDefault: (config) => config.model.kind === 'cvae' && config.model.latentDim >= 2,
  needs: ['continuousLatent'],
  applies: (config) => (config.model.kind !== 'cvae' ? 'needs a cvae (model.kind: cvae)' : config.model.latentDim < 2 ? 'needs latentDim >= 2' : true),
  async run(ctx, options) {
    const vae = await ctx.vae();
    const { latentDim, numClasses, height, width } = ctx.spec();
    const q = gridQuantiles(options.size);
    const dims = latentPlane(ctx);
    const z = gridZ({ xs: q, ys: [...q].reverse(), dims, base: new Float32Array(latentDim) });
    const count = options.size * options.size;
    const panels: SafeHtml[] = [];
    const files: string[] = [];
    for (let label = 0; label < numClasses; label++) {
      const pixels = await decodeZ(vae, z, count, repeatLabel(label, count, numClasses));
      const file = `class-manifold-${label}.png`;
      const size = writeTiles(join(ctx.outDir, file), pixels, count, { cols: options.size, scale: options.scale, size: { height, width } });
      const name = ctx.classNames[label] ?? String(label);
      files.push(file);
      const heading = html`<h3><span class="swatch" style="background:${classColour(label)}"></span>label ${name}</h3>`;
      panels.push(html`<div class="panel">${heading}${img(file, `manifold decoded with label ${name}`, size)}</div>`);
    }
    const [x, y] = [zName(dims[0]), zName(dims[1])];
    return {
      title: 'Manifold of each class',
      caption:
        `The same ${options.size} × ${options.size} grid of latent points decoded ${numClasses} times, once with each class label fixed. ` +
        `In every panel ${x} runs left to right and ${y} bottom to top over normal quantiles from ${fmt(q[0]!)} to ${fmt(q.at(-1)!)}. ` +
        `The label decides the class and z the style: the same position shows the same slant and stroke width in every panel.` +
        (latentDim === 2 ? '' : ` ${x}, ${y} are the two dimensions with the largest average KL; the other ${latentDim - 2} are 0.`),
      body: html`<div class="panels">${joinHtml(panels, '\n')}</div>`,
      files,
    };
  },
};
