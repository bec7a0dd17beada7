import { z } from 'zod';
import type { ModelSection } from '../../../config/model-sections.js';
import { MlpModelSchema } from '../../../config/schema.js';
import { denseChain, PIXELS } from '../../../config/size-bound.js';

const hidden = MlpModelSchema.shape.hidden.unwrap();

export const IntermediateSchema = z.strictObject({
  latentDim: z.int().min(1).max(512).describe('dimension of h1, the stochastic layer between x and z'),
  hidden: hidden.describe('hidden layer sizes between h1 and z, in the order of q(z | h1); p(h1 | z) mirrors them'),
});

export type IntermediateConfig = z.output<typeof IntermediateSchema>;

/**
 * model.family two-layer: the mlp section with a second stochastic layer h1 between x and z.
 */
export const TwoLayerModelSchema = MlpModelSchema.extend({
  family: z.literal('two-layer').describe('the model family: two-layer, two stochastic layers'),
  hidden: MlpModelSchema.shape.hidden.describe('hidden layer sizes between x and h1, encoder order'),
  latentDim: MlpModelSchema.shape.latentDim.describe('dimension of z, the top stochastic layer, the one with the prior N(0, I)'),
  intermediate: IntermediateSchema.describe(
    "the second stochastic layer h1 between x and z (Burda et al.'s two stochastic layers): q(h1 | x) is x -> hidden -> Gaussian h1, q(z | h1) is h1 -> intermediate.hidden -> Gaussian z; p(h1 | z) mirrors it (z -> intermediate.hidden reversed -> Gaussian h1) and p(x | h1) is h1 -> hidden reversed -> pixels; the prior N(0, I) is on z (latentDim). Every KL term is sampled (no closed form); the report draws z, with h1 at its posterior mean (cvae: the label joins every network's input)",
  ),
});

export type TwoLayerModelConfig = z.output<typeof TwoLayerModelSchema>;

export const twoLayerSection: ModelSection = {
  family: 'two-layer',
  schema: TwoLayerModelSchema,
  check(config, ctx) {
    const freeBits = config.loss.freeBits ?? null;
    if (freeBits === null) return;
    ctx.addIssue({
      code: 'custom',
      path: ['loss', 'freeBits'],
      message: `free bits floor each latent dimension's closed-form KL, which a model of family two-layer (two stochastic layers, every KL sampled) does not have: expected null, found ${String(freeBits)}`,
    });
  },
  memory: {
    denseLayers(model, label) {
      const m = model as TwoLayerModelConfig;
      const [h1, z, inner] = [m.intermediate.latentDim, m.latentDim, m.intermediate.hidden];
      return [
        ...denseChain(PIXELS + label, m.hidden, 2 * h1),
        ...denseChain(h1 + label, inner, 2 * z),
        ...denseChain(z + label, [...inner].reverse(), 2 * h1),
        ...denseChain(h1 + label, [...m.hidden].reverse(), PIXELS),
      ];
    },
    widestKey: (model) => {
      const m = model as TwoLayerModelConfig;
      return Math.max(...m.intermediate.hidden) > Math.max(...m.hidden) ? 'model.intermediate.hidden' : 'model.hidden';
    },
    noisePerSample: (model) => (model as TwoLayerModelConfig).intermediate.latentDim + (model as TwoLayerModelConfig).latentDim,
  },
};
