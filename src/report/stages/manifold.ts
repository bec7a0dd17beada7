import { z } from 'zod';
import { gridQuantiles } from '../analysis/normal-quantiles.js';
import { fmt, zName } from '../figures/format.js';
import type { Stage } from '../types.js';
import { drawGrid } from './shared/latent-grid.js';
import { latentPlane } from './shared/plane.js';

const Options = z.strictObject({
  size: z.int().min(2).max(40).default(15).describe('tiles per side'),
  scale: z.int().min(1).max(6).default(2).describe('pixels per image pixel'),
});

export const manifoldStage: Stage<z.infer<typeof Options>> = {
  type: 'manifold',
  options: Options,
  inDefault: (config) => config.model.kind === 'vae' && config.model.latentDim === 2,
  needs: ['continuousLatent'],
  applies: (config) =>
    config.model.kind !== 'vae' ? 'a cvae decoder needs a label: use classManifolds' : config.model.latentDim < 2 ? 'needs latentDim >= 2' : true,
  async run(ctx, options) {
    const vae = await ctx.vae();
    const { latentDim } = ctx.spec();
    const q = gridQuantiles(options.size);
    // latentDim > 2: the plane of the two most informative dims, the others at the prior mean 0.
    const dims = latentPlane(ctx);
    const grid = { xs: q, ys: [...q].reverse(), dims, base: new Float32Array(latentDim) };
    const body = await drawGrid(vae, grid, { outDir: ctx.outDir, file: 'manifold.png', label: null, scale: options.scale, gap: 0, annotate: false });
    const [lo, hi] = [fmt(q[0]!), fmt(q.at(-1)!)];
    return {
      title: 'The learned manifold',
      caption:
        `Decodings of a ${options.size} × ${options.size} grid of latent points covering the prior: the grid is evenly spaced in probability, ` +
        `and each coordinate is the standard normal quantile of its position (from ${lo} to ${hi}), so every tile stands for an equal ` +
        `share of the prior's mass. Moving across the picture walks through latent space: neighbouring tiles are similar and the digits ` +
        `morph into one another where classes meet.` +
        (latentDim === 2 ? '' : ` The plane is ${zName(dims[0])}, ${zName(dims[1])}, the two dimensions with the largest average KL; the other ${latentDim - 2} are held at 0.`),
      body,
      files: ['manifold.png'],
    };
  },
};
