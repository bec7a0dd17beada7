import { z } from 'zod';

/** The train section of the config schema (schema.ts): epochs, batches, the learning-rate schedule and Adam. */

export const SCHEDULES = ['constant', 'iwae-paper'] as const;

export const ScheduleSchema = z.strictObject({
  type: z
    .enum(SCHEDULES)
    .default('constant')
    .describe('constant: train.learningRate for train.epochs epochs | iwae-paper: stage i = 1..8 has 3^(i-1) epochs at learningRate * round(10^(1 - (i-1)/7), 1) / 10 (3,280 epochs)'),
  stages: z.int().min(1).max(8).nullable().default(null).describe('iwae-paper only: run the first N stages, (3^N - 1) / 2 epochs (null: all 8)'),
});

export const ADAM_VARIANTS = ['pytorch', 'iwae-code'] as const;

export const AdamSchema = z.strictObject({
  variant: z
    .enum(ADAM_VARIANTS)
    .default('pytorch')
    .describe(
      "pytorch: Kingma and Ba's Adam as torch.optim.Adam and tfjs compute it (moments from zeros, both bias-corrected, the step from this step's moments) | iwae-code: the IWAE paper's own (yburda/iwae optimizers.py): second moments start at ones, step size learningRate * sqrt(1 - beta2^t) / (1 - beta1^t) for step t = 1, 2, ..., epsilon added to the root of the uncorrected second moment, and the weights moved with the moments of the step before (Theano's simultaneous updates), so the first step moves nothing",
    ),
  beta1: z.number().min(0).lt(1).default(0.9).describe('decay of the first moment'),
  beta2: z.number().min(0).lt(1).default(0.999).describe('decay of the second moment'),
  epsilon: z
    .number()
    .gt(0)
    .default(1e-8)
    .describe("added to the root of the second moment: bias-corrected for pytorch (1e-8: PyTorch's default), uncorrected for iwae-code (the paper's code: 1e-4)"),
});

export const TrainSchema = z
  .strictObject({
    epochs: z.int().min(1).nullable().default(10).describe('passes over the training set (null: the schedule sets them, iwae-paper only)'),
    batchSize: z.int().min(1).default(128).describe('images per optimizer step'),
    learningRate: z.number().gt(0).default(0.001).describe('Adam step size (iwae-paper: of the first stage)'),
    schedule: ScheduleSchema.prefault({}),
    adam: AdamSchema.prefault({}),
    reduction: z
      .enum(['mean', 'sum'])
      .default('mean')
      .describe(
        "how a step combines its images' objective before the gradient: mean | sum (the IWAE paper's code: the gradient of the bound summed over the minibatch). Only the gradient's scale changes: the same steps with adam.variant pytorch up to epsilon, other steps with iwae-code, whose second moments start at ones. Logged losses are nats per image either way",
      ),
    evalBatchSize: z.int().min(1).default(1000).describe('images per forward pass when evaluating (memory only)'),
  })
  .superRefine((train, ctx) => {
    const { type, stages } = train.schedule;
    if (type === 'constant' && train.epochs === null) {
      ctx.addIssue({ code: 'custom', path: ['epochs'], message: 'a constant schedule trains train.epochs epochs: expected a number, found null' });
    }
    if (type === 'constant' && stages !== null) {
      ctx.addIssue({ code: 'custom', path: ['schedule', 'stages'], message: `stages belong to the iwae-paper schedule, not constant: expected null, found ${stages}` });
    }
    if (type === 'iwae-paper' && train.epochs !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['epochs'],
        message: `the iwae-paper schedule sets the epochs (3^(i-1) in stage i; cut it short with train.schedule.stages): expected null, found ${train.epochs}`,
      });
    }
  });
