import { classMean, classStd } from '../analysis/posterior-stats.js';
import { fmt, zName } from '../figures/format.js';
import type { Stage } from '../types.js';
import { checkLabel, classGrid, ClassGridOptions, gridSteps } from './shared/class-grid.js';
import { latentPlane } from './shared/plane.js';

export const classMeanGridStage: Stage<ClassGridOptions> = {
  type: 'classMeanGrid',
  options: ClassGridOptions,
  inDefault: (config) => config.model.kind === 'vae' && config.model.latentDim >= 2,
  needs: ['continuousLatent'],
  applies: (config) => (config.model.latentDim >= 2 ? true : 'needs latentDim >= 2'),
  async run(ctx, options) {
    const name = checkLabel(ctx, options.label);
    const { latentDim, kind } = ctx.spec();
    const test = ctx.latents().splits.test!;
    const centre = classMean(test, latentDim, options.label);
    const dims = latentPlane(ctx);
    const sd = classStd(test, latentDim, options.label);
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
        (kind === 'cvae' ? ` The decoder is given the label ${name}.` : ''),
      body,
      files: ['class-mean-grid.png'],
    };
  },
};
