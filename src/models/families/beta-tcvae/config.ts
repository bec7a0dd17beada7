import { z } from 'zod';
import type { ModelSection } from '../../../config/model-sections.js';
import { ConvModelSchema, MlpModelSchema } from '../../../config/schema.js';
import { elboOnlyRules, lossCheck } from '../loss-rules.js';

export const TcSchema = z
  .strictObject({
    alpha: z.number().min(0).max(1e4).default(1).describe('α, the weight of the index-code mutual information'),
    beta: z.number().min(0).max(1e4).default(6).describe('β, the weight of the total correlation'),
    gamma: z.number().min(0).max(1e4).default(1).describe('γ, the weight of the dimension-wise KL'),
    estimator: z.enum(['mws', 'mss']).default('mws').describe("mws | mss: minibatch-weighted or minibatch-stratified sampling of the aggregate posterior (the paper's two)"),
  })
  .describe('the β-TCVAE objective (Chen et al. 2018): recon + α·MI + β·TC + γ·dimension-wise KL, the KL split over the batch');

export type TcConfig = z.output<typeof TcSchema>;

const family = z.literal('beta-tcvae').describe('the model family: beta-tcvae');
const tc = TcSchema.default(TcSchema.parse({}));

/** model.family beta-tcvae: the Gaussian VAE's networks (mlp or conv) and the weights of the decomposed KL. */
export const BetaTcVaeModelSchema = z.discriminatedUnion('arch', [MlpModelSchema.extend({ family, tc }), ConvModelSchema.extend({ family, tc })], { error: '"mlp" | "conv"' });

export type BetaTcVaeModelConfig = z.output<typeof BetaTcVaeModelSchema>;

export const betaTcVaeSection: ModelSection = {
  family: 'beta-tcvae',
  schema: BetaTcVaeModelSchema,
  check: lossCheck('beta-tcvae', [
    ...elboOnlyRules({
      freeBits: "free bits floor each dimension's KL; β-TCVAE weighs the KL's three parts instead",
      objective: 'the IWAE objective is a bound on log p(x); β-TCVAE minimises its own objective',
      samples: 'the estimators take one code per image',
    }),
    { key: 'beta', ok: (v) => v === undefined || v === 1, why: "the total correlation's weight is model.tc.beta (loss.warmup still ramps all three weights)" },
  ]),
};
