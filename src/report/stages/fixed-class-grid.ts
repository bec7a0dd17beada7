import { fmt, zName } from '../figures/format.js';
import type { Stage } from '../types.js';
import { checkLabel, classGrid, ClassGridOptions, gridSteps } from './shared/class-grid.js';
import { latentPlane } from './shared/plane.js';

export const fixedClassGridStage: Stage<ClassGridOptions> = {
  type: 'fixedClassGrid',
  options: ClassGridOptions,
  inDefault: (config) => config.model.kind === 'cvae' && config.model.latentDim >= 2,
  needs: ['continuousLatent'],
  applies: (config) => (config.model.kind !== 'cvae' ? 'needs a cvae (model.kind: cvae)' : config.model.latentDim < 2 ? 'needs latentDim >= 2' : true),
  async run(ctx, options) {
    const name = checkLabel(ctx, options.label);
    const dims = latentPlane(ctx);
    const centre = new Float32Array(ctx.spec().latentDim);
    const steps = gridSteps(options, [1, 1]); // auto: ±1.5 prior standard deviations
    const body = await classGrid(ctx, options, centre, dims, steps, 'fixed-class-grid.png');
    const [x, y] = [zName(dims[0]), zName(dims[1])];
    const half = fmt(((options.size - 1) / 2) * steps[0]);
    return {
      title: `Class ${name} around the prior's centre`,
      caption:
        `The CVAE's decoder given the label ${name} at a ${options.size} × ${options.size} grid of z centred on (0, 0), the prior's mean, ` +
        `from −${half} to ${half} in ${x} and ${y}; each tile is labelled with its (${x}, ${y}). Every tile should be a ${name}: the label ` +
        `fixes the class, and z moves only the style.` +
        (centre.length === 2 ? '' : ` ${x}, ${y} are the two dimensions with the largest average KL; the others are 0.`),
      body,
      files: ['fixed-class-grid.png'],
    };
  },
};
