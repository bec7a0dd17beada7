import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import { writeExplorerAssets } from '../explorer/assets.js';
import { explorerFragment, type ExplorerSettings } from '../explorer/fragment.js';
import { explorerPlane } from '../explorer/plane.js';
import { zName } from '../figures/format.js';
import { CLASS_COLOURS } from '../figures/palette.js';
import type { ReportContext, Stage, StageOutput } from '../types.js';
import { latentPlane } from './shared/plane.js';
import { familyNote } from './shared/family-note.js';

const ExplorerOptionsSchema = z.strictObject({
  dims: z
    .tuple([z.int().min(0), z.int().min(0)])
    .refine(([a, b]) => a !== b, 'the two dims must differ')
    .nullable()
    .default(null)
    .describe('the latent dimensions (0-based) on the x and y axes; null: the two with the largest average KL, as in the other figures'),
  range: z.number().gt(0).max(20).default(3).describe('half-width of the plane in prior standard deviations (grows to cover 99% of the test means)'),
});

export type ExplorerOptions = z.infer<typeof ExplorerOptionsSchema>;

function applies(config: Config): true | string {
  return config.model.latentDim >= 2 ? true : 'the explorer moves two latent dimensions; this model has latentDim 1';
}

function caption(s: ExplorerSettings): string {
  const [dx, dy] = s.dims;
  const plane =
    s.latentDim === 2
      ? `both latent dimensions, ${zName(dx)} across and ${zName(dy)} up`
      : `latent dimensions ${zName(dx)} (across) and ${zName(dy)} (up), with the other ${s.latentDim - 2} held at the mean of the test-set posterior means`;
  const cvae = s.kind === 'cvae' ? ' Pick a class below the image: the decoder gets it as a one-hot label, so one z draws every class in the same style; the test means of that class are drawn stronger.' : '';
  return (
    `The trained decoder, running in this page. The plane shows ${plane}, from ${-s.half} to ${s.half} on both axes ` +
    `(the prior N(0, I) puts 99.7% of its mass within 3 on each axis); the faint dots are the test images' posterior means, ` +
    `coloured by class, so you can see where each class lives. Move the point and the image panel shows what the decoder makes of that z ` +
    `(pixel probabilities, white = 1).${cvae} Works offline: TensorFlow.js and the weights ship in explorer/.`
  );
}

/** Figure 13: move z over a latent plane and watch the decoder's output, live in the reader's browser. */
export const explorerStage: Stage<ExplorerOptions> = {
  type: 'explorer',
  options: ExplorerOptionsSchema,
  inDefault: () => true, // resolveStages drops it quietly from the defaults of a latentDim-1 run (applies)
  needs: ['continuousLatent'],
  applies,
  async run(ctx: ReportContext, options: ExplorerOptions): Promise<StageOutput> {
    const spec = ctx.spec();
    const plane = explorerPlane(ctx.latents(), options.dims ?? latentPlane(ctx), options.range);
    const vae = await ctx.vae();
    const settings: ExplorerSettings = {
      kind: spec.kind,
      latentDim: spec.latentDim,
      numClasses: spec.numClasses,
      height: spec.height,
      width: spec.width,
      dims: plane.dims,
      half: plane.half,
      start: plane.start,
      classNames: ctx.classNames,
      colours: [...CLASS_COLOURS],
    };
    const files = await writeExplorerAssets(ctx.outDir, vae.decoder, plane);
    return { title: 'Latent explorer', caption: caption(settings) + familyNote(ctx.config, 'decoding'), body: explorerFragment(settings), files };
  },
};
