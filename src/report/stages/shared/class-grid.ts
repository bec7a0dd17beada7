import { z } from 'zod';
import { VaelabError } from '../../../errors.js';
import type { SafeHtml } from '../../figures/html.js';
import type { ReportContext } from '../../types.js';
import { around, drawGrid } from './latent-grid.js';

/** Options of the two class grids (classMeanGrid for a vae, fixedClassGrid for a cvae). */
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

/** The class's name; a label the data does not have is the user's error, said in their terms. */
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
export async function classGrid(ctx: ReportContext, o: ClassGridOptions, centre: Float32Array, dims: [number, number], steps: [number, number], file: string): Promise<SafeHtml> {
  const grid = { xs: around(centre[dims[0]]!, o.size, steps[0]), ys: around(centre[dims[1]]!, o.size, steps[1]).reverse(), dims, base: centre };
  return drawGrid(await ctx.vae(), grid, { outDir: ctx.outDir, file, label: o.label, scale: o.scale, gap: 18, annotate: true });
}
