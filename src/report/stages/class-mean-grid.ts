import { z } from 'zod';
import { VaelabError } from '../../errors.js';
import { around, drawGrid, fmt, zName } from '../latent-grid.js';
import { classMean, classStd, strongestPlane } from '../latent-stats.js';
import type { ReportContext, Stage } from '../types.js';

export const ClassGridOptions = z.strictObject({
  label: z.int().min(0).default(9).describe('the class (digit) the grid is about'),
  size: z.int().min(2).max(15).default(7).describe('tiles per side'),
  step: z
    .union([z.literal('auto'), z.number().gt(0)])
    .default('auto')
    .describe("distance in z between neighbouring tiles; auto: the grid spans ±1.5 standard deviations of the class's codes (of the prior for fixedClassGrid)"),
  scale: z.int().min(1).max(6).default(3).describe('pixels per image pixel'),
});
export type ClassGridOptions = z.infer<typeof ClassGridOptions>;

/** The plane a class grid varies: the run's strongest plane (dims 0, 1 for a 2-d code). */
export function gridDims(ctx: ReportContext): [number, number] {
  return strongestPlane(ctx.latents());
}

export function checkLabel(ctx: ReportContext, label: number): string {
  const name = ctx.classNames[label];
  if (name === undefined) throw new VaelabError(`label ${label} is not a class of this data (0..${ctx.classNames.length - 1})`);
  return name;
}

/** Tile spacing along each of the two dims: the option, or ±1.5 `spread` across the grid. */
export function gridSteps(o: ClassGridOptions, spread: [number, number]): [number, number] {
  if (o.step !== 'auto') return [o.step, o.step];
  const span = (sd: number) => (3 * Math.max(sd, 1e-3)) / (o.size - 1);
  return [span(spread[0]), span(spread[1])];
}

/** Decodes a size x size grid centred on `centre` in the plane `dims`, each tile annotated with its z. */
export async function classGrid(ctx: ReportContext, o: ClassGridOptions, centre: Float32Array, dims: [number, number], steps: [number, number], file: string): Promise<string> {
  const grid = { xs: around(centre[dims[0]]!, o.size, steps[0]), ys: around(centre[dims[1]]!, o.size, steps[1]).reverse(), dims, base: centre };
  return drawGrid(await ctx.vae(), grid, { outDir: ctx.outDir, file, label: o.label, scale: o.scale, gap: 18, annotate: true });
}

export const classMeanGridStage: Stage<ClassGridOptions> = {
  type: 'classMeanGrid',
  options: ClassGridOptions,
  inDefault: (config) => config.model.kind === 'vae' && config.model.latentDim >= 2,
  applies: (config) => (config.model.latentDim >= 2 ? true : 'needs latentDim >= 2'),
  async run(ctx, options) {
    const name = checkLabel(ctx, options.label);
    const { latentDim, splits } = ctx.latents();
    const centre = classMean(splits.test!, latentDim, options.label);
    const dims = gridDims(ctx);
    const sd = classStd(splits.test!, latentDim, options.label);
    const steps = gridSteps(options, [sd[dims[0]]!, sd[dims[1]]!]);
    const body = await classGrid(ctx, options, centre, dims, steps, 'class-mean-grid.png');
    const [x, y] = [zName(dims[0]), zName(dims[1])];
    return {
      title: `Around the mean of class ${name}`,
      caption:
        `Decodings of a ${options.size} × ${options.size} grid centred on the mean latent code of the test images of class ${name} ` +
        `(${x} = ${fmt(centre[dims[0]]!)}, ${y} = ${fmt(centre[dims[1]]!)}), one tile every ${fmt(steps[0])} in ${x} and ${fmt(steps[1])} in ${y}` +
        `${options.step === 'auto' ? " (±1.5 standard deviations of the class's codes)" : ''}; each tile is labelled with its (${x}, ${y}). ` +
        `The centre tile is the "average" ${name}; moving away from it shows how the code varies within the class and where it turns into another.` +
        (latentDim === 2 ? '' : ` ${x}, ${y} are the two dimensions with the largest average KL; the other ${latentDim - 2} stay at the class mean.`) +
        (ctx.config.model.kind === 'cvae' ? ` The decoder is given the label ${name}.` : ''),
      body,
      files: ['class-mean-grid.png'],
    };
  },
};
