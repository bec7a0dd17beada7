import { z } from 'zod';
import type { ModelSection } from '../../../src/config/model-sections.js';
import { MlpModelSchema } from '../../../src/config/schema.js';

/** model.family noisy-ae: the mlp section and the fixed noise of the posterior. */
export const NoisyAeSchema = MlpModelSchema.extend({
  family: z.literal('noisy-ae').describe('an autoencoder whose code is read with fixed Gaussian noise'),
  noise: z.number().positive().max(10).default(0.1).describe('sigma of the fixed noise added to the code in training'),
});

export type NoisyAeConfig = z.output<typeof NoisyAeSchema>;

export const noisyAeSection: ModelSection = {
  family: 'noisy-ae',
  schema: NoisyAeSchema,
  // the objective weighs no KL and has no likelihood: the options that need them are refused where they are set
  check(config, ctx) {
    if ((config.loss.freeBits ?? null) !== null) ctx.addIssue({ code: 'custom', path: ['loss', 'freeBits'], message: 'model.family noisy-ae has no KL to floor: expected null' });
    if (config.loss.objective !== 'elbo') ctx.addIssue({ code: 'custom', path: ['loss', 'objective'], message: 'model.family noisy-ae has no likelihood to bound: expected "elbo"' });
  },
};
