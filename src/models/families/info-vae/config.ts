import { z } from 'zod';
import type { ModelSection } from '../../../config/model-sections.js';
import { ConvModelSchema, MlpModelSchema } from '../../../config/schema.js';
import { elboOnlyRules, lossCheck } from '../loss-rules.js';

export const MmdSchema = z
  .strictObject({
    alpha: z.number().min(0).max(1).default(0).describe('α: the KL to the prior is weighted by 1 − α (docs/families/info-vae.md)'),
    lambda: z.number().min(0).max(1e6).default(10).describe('λ: the MMD term is weighted by α + λ − 1'),
    kernel: z.enum(['imq', 'rbf']).default('imq').describe('imq | rbf, the kernels of pythae and the WAE code, C = 2·latentDim·scale'),
    scale: z.number().positive().max(1e4).default(1).describe("σ² in the kernel's C = 2·latentDim·σ²: the prior's variance"),
  })
  .refine((m) => m.alpha + m.lambda - 1 >= 0, { message: 'α + λ − 1, the weight of the MMD term, must not be negative: a negative weight pushes the codes away from the prior' })
  .describe('the InfoVAE objective (Zhao et al. 2019): recon + (1 − α)·β·KL + (α + λ − 1)·MMD²(q(z), p(z))');

export type MmdConfig = z.output<typeof MmdSchema>;

const family = z.literal('info-vae').describe('the model family: info-vae, InfoVAE / MMD-VAE');

const mmd = MmdSchema.default(MmdSchema.parse({}));

/** model.family info-vae: the Gaussian VAE's networks (mlp or conv) and the weights of its objective. */
export const InfoVaeModelSchema = z.discriminatedUnion('arch', [MlpModelSchema.extend({ family, mmd }), ConvModelSchema.extend({ family, mmd })], { error: '"mlp" | "conv"' });

export type InfoVaeModelConfig = z.output<typeof InfoVaeModelSchema>;

export const infoVaeSection: ModelSection = {
  family: 'info-vae',
  schema: InfoVaeModelSchema,
  check: lossCheck(
    'info-vae',
    elboOnlyRules({
      freeBits: "free bits floor the KL of an ELBO; the InfoVAE objective's KL weight is 1 − α",
      objective: 'the IWAE objective is a bound on log p(x); InfoVAE minimises its own objective',
      samples: 'the MMD compares one code per image with as many prior draws',
    }),
  ),
};
