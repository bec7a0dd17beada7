import { z } from 'zod';

// The loss section of the config schema (schema.ts): the objective, its weights, the KL warm-up and floor.

/** KL warm-up: the unit of N is the key itself, so a config never leaves it to be guessed. */
export const WarmupSchema = z.union(
  [
    z.strictObject({ epochs: z.int().min(1).describe('warm-up length in whole epochs') }),
    z.strictObject({ steps: z.int().min(1).describe('warm-up length in optimizer steps') }),
  ],
  { error: 'one of {epochs: N} (whole epochs) or {steps: N} (optimizer steps), N >= 1' },
);

/** The training objectives. Each place that tells them apart does so through a table keyed by this enum. */
export const OBJECTIVES = ['elbo', 'iwae'] as const;
export type Objective = (typeof OBJECTIVES)[number];

type LossFields = { objective: Objective; beta: number; reconstructionWeight: number; warmup: unknown; freeBits: number | null };

/** What each objective requires of the other loss keys (the schema's cross-key checks). */
const REQUIREMENTS = {
  elbo: (loss: LossFields, ctx: z.RefinementCtx) => {
    for (const key of ['warmup', 'freeBits'] as const) {
      if (loss[key] !== null && loss.beta === 0) ctx.addIssue({ code: 'custom', path: [key], message: `loss.beta is 0, so the KL term is not in the objective and ${key} changes nothing: expected null, found ${JSON.stringify(loss[key])}` });
    }
  },
  iwae: (loss: LossFields, ctx: z.RefinementCtx) => {
    for (const key of ['beta', 'reconstructionWeight'] as const) {
      if (loss[key] !== 1) ctx.addIssue({ code: 'custom', path: [key], message: `loss.objective iwae weighs no terms (its log-weights are whole densities): expected 1, found ${loss[key]}` });
    }
    for (const key of ['warmup', 'freeBits'] as const) {
      if (loss[key] !== null) ctx.addIssue({ code: 'custom', path: [key], message: `loss.objective iwae has no KL term to warm up or floor (its log-weights are whole densities): expected null, found ${JSON.stringify(loss[key])}` });
    }
  },
} satisfies Record<Objective, (loss: LossFields, ctx: z.RefinementCtx) => void>;

export const LossSchema = z
  .strictObject({
    objective: z
      .enum(OBJECTIVES)
      .default('elbo')
      .describe('elbo: recon averaged over loss.samples draws + closed-form KL (a model without one, model.family two-layer: recon + the sampled KL of both layers, averaged over the draws) | iwae: the importance-weighted bound log (1/k) sum_k w_k (Burda et al.; needs beta 1 and reconstructionWeight 1)'),
    samples: z.int().min(1).max(5000).default(1).describe('z samples per training image (k); iwae with k = 1 is the single-sample ELBO with a sampled KL'),
    beta: z.number().min(0).default(1).describe('weight of the KL term (1: the ELBO)'),
    reconstructionWeight: z
      .number()
      .min(0)
      .default(1)
      .describe('weight of the reconstruction term: the objective is reconstructionWeight * recon + beta * KL (ablations: beta 0 is reconstruction only, 0 here is KL only)'),
    warmup: WarmupSchema.nullable()
      .default(null)
      .describe(
        'KL warm-up: the KL weight rises linearly from 0 to beta. {epochs: N}: epoch e (counted from 0; the metrics and the report number it e + 1) trains at beta * min(1, e / N), so the first epoch trains at 0 and epochs N + 1 on at beta | {steps: N}: optimizer step t (counted from 0 across epochs) trains at beta * min(1, t / N) | null: beta throughout. A function of the epoch and step counters, so a resumed run trains as an uninterrupted one. elbo only (iwae weighs no terms)',
      ),
    freeBits: z
      .number()
      .gt(0)
      .nullable()
      .default(null)
      .describe(
        'free bits (Kingma et al. 2016, one group per latent dimension): a floor in nats per latent dimension. The KL term minimised is sum_d max(KL_d, freeBits), KL_d the closed-form KL of dimension d averaged over the minibatch (not per image), so a dimension under the floor gets no KL gradient in that step; weighed by beta and the warm-up. The logged KL and the test -ELBO stay the plain KL | null: off. elbo only',
      ),
  })
  .superRefine((loss, ctx) => REQUIREMENTS[loss.objective](loss, ctx));
