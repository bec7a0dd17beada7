import type * as tf from '@tensorflow/tfjs';
import type { StepLoss } from '../config/kl-schedule.js';
import type { ModelSection as ConfigSection } from '../config/model-sections.js';
import type { LossConfig, ModelConfig, TrainConfig } from '../config/schema.js';
import type { BatchTensors } from '../data/batch-tensors.js';
import type { Split } from '../data/datasets.js';
import type { VaeSpec } from './types.js';

/**
 * A model family: the one way a kind of model enters vaelab. Training, evaluation, checkpoints and the
 * report call a model only through its family (families/index.ts finds it from the model section), so a
 * new family is one folder and one registry line.
 *
 * Every family's model is tfjs layers models. Two of them are the paths every figure draws:
 * - encoder: x [B, P] (+ one-hot y [B, classes] for a cvae) -> [point, spread], each [B, latentDim]: the
 *   posterior's mean and log-variance for a Gaussian posterior (a family without a spread returns its
 *   point twice and says so in its capabilities)
 * - decoder: z [B, latentDim] (+ one-hot y) -> logits [B, P] (a sigmoid gives the pixel probabilities)
 * Sampling stays outside the models, so they hold no custom layers and load in any tfjs program.
 */
export interface Vae {
  readonly spec: VaeSpec;
  readonly family: ModelFamily;
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  /** What the checkpoint holds: a folder name per model (encoder and decoder among them), each saved whole. */
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
}

/** What a figure, a metric or a loss option can ask of a model (report stages declare what they need). */
export interface Capabilities {
  /** continuous: each image has a point in R^latentDim, and the prior N(0, I) on it. */
  readonly latent: 'continuous' | 'discrete';
  /** The encoder's second output is a Gaussian posterior's log-variance (KL per dimension, active units). */
  readonly gaussianPosterior: boolean;
  /** The KL of each latent dimension has a closed form (free bits floor it; the report lists it). */
  readonly closedFormKl: boolean;
  /** log importance weights exist (logWeights), so the IWAE estimate of log p(x) can be made. */
  readonly likelihood: boolean;
  /** Every network takes the one-hot label (a cvae). */
  readonly conditional: boolean;
}

/** A capability a figure or metric asks for (Capabilities), by name. */
export type Need = 'continuousLatent' | 'gaussianPosterior' | 'closedFormKl' | 'likelihood' | 'conditional';

const NEEDS: Record<Need, { has: (c: Capabilities) => boolean; words: string }> = {
  continuousLatent: { has: (c) => c.latent === 'continuous', words: 'a continuous latent' },
  gaussianPosterior: { has: (c) => c.gaussianPosterior, words: 'a Gaussian posterior' },
  closedFormKl: { has: (c) => c.closedFormKl, words: 'a closed-form KL per latent dimension' },
  likelihood: { has: (c) => c.likelihood, words: 'a likelihood' },
  conditional: { has: (c) => c.conditional, words: 'a conditional model (model.kind: cvae)' },
};

/** Why a model of `family` cannot give what `needs` ask ("needs a Gaussian posterior, which ..."), or null when it can. */
export function unmetNeed(family: ModelFamily, model: ModelSection, needs: readonly Need[]): string | null {
  const caps = family.capabilities(model);
  const missing = needs.find((n) => !NEEDS[n].has(caps));
  return missing === undefined ? null : `needs ${NEEDS[missing].words}, which model.family ${family.name} does not have`;
}

/**
 * One batch's objective and the batch means of its terms, as a step reads them back: recon and kl in nats
 * per image whatever was minimised; klFloored and atFloor with free bits. (A type, not an interface:
 * tf.tidy returns only objects with an index signature.)
 */
export type BatchObjective = {
  loss: tf.Scalar;
  recon: tf.Scalar;
  kl: tf.Scalar;
  klFloored?: tf.Scalar;
  atFloor?: tf.Scalar;
};

/** What the objective of a batch needs besides the images: the step's loss weights and its noise seed. */
export interface ObjectiveOptions {
  loss: StepLoss;
  epsSeed: number;
  training: boolean; // BatchNorm's batch statistics (and their running update)
  /** The training set's size N: β-TCVAE's estimators of the aggregate posterior weigh by it (the trainer passes it). */
  trainImages?: number;
}

/** A step's value, gradients and stacked term means, as lossAndGradients returns them (train/step.ts). */
export interface StepResult {
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
  means: tf.Tensor1D;
}

/** log w [m, kc] of a batch's samples from their noise eps [m, kc, noiseWidth], holding what chunks share. */
export interface ChunkLogWeights {
  of(eps: tf.Tensor3D): tf.Tensor2D;
  dispose(): void;
}

/**
 * Active units of one stochastic layer, as metrics.json stores them: the variance over the test set of
 * E_q(layer | x)[unit] above eval.activeThreshold.
 */
export interface LayerMetrics {
  name: 'h1' | 'z';
  dim: number;
  activeUnits: number;
  muVariance: number[];
  samples: number; // draws of the layers below per image behind the expectation (1 for h1, whose mean is exact)
}

/** A model section as a config holds it, or with the data's shape as a model's spec holds it. */
export type ModelSection = ModelConfig | VaeSpec;

/** What a figure's caption must add for a family, by subject ('' when nothing). */
export type NoteSubject = 'codes' | 'decoding' | 'reconstruction' | 'activity';
/** The same in a comparison, of runs of several families; 'kl' follows "<runs> have" in the runs table's note. */
export type CompareNoteSubject = 'codes' | 'decoding' | 'reconstruction' | 'kl';

/** How a config key reads in a comparison whose runs differ in it: a legend's words and a runs-table column. */
export interface KeyDisplay {
  head: string;
  shown(value: unknown): string; // says what it is, so a legend gives it without the key's name; '' to say nothing
  cell(value: unknown): string;
}

export interface ModelFamily {
  readonly name: string;
  /** Config keys of the family that a comparison shows in words of their own, by dotted key. */
  readonly keyDisplays: Readonly<Record<string, KeyDisplay>>;
  /** Its shape of the model section (`model.family: <name>`), registered with it; null for the Gaussian VAE's, schema.ts's own. */
  readonly section: ConfigSection | null;
  capabilities(model: ModelSection): Capabilities;
  /** The model section in a few words, for the summary ("VAE, mlp, hidden 512-256, latentDim 2"). */
  describe(model: ModelSection): string;
  /**
   * Whether reconstructionWeight * recon + beta * kl of the batch terms is the minimised objective (an
   * ELBO-shaped one), so an epoch's training loss follows from its recon and kl means; when false the
   * trainer sums each step's loss as well.
   */
  termsGiveLoss(model: ModelSection): boolean;
  /** What a run of it minimised, in words (config/objective.ts objectiveName for the ELBO's kin). */
  objectiveName(model: ModelSection, loss: LossConfig): string;
  /**
   * The names of its objective's terms as the loss curves and tables show them (recon, kl, and their sum),
   * and a sentence saying what each is, for the loss curves' caption.
   */
  termNames(model: ModelSection): { recon: string; kl: string; total: string; meaning: string };
  /** The caption sentence a figure adds for this family's models, '' when it needs none. */
  note(model: ModelSection, subject: NoteSubject): string;
  compareNote(subject: CompareNoteSubject): string;
  /** Freshly initialised networks, seeded (buildVae then sets model.outputBias data-mean on the decoder's dec_logits). */
  build(spec: VaeSpec, seed: number): Vae;
  /** The model from its saved networks (read loads one folder of the checkpoint). */
  load(spec: VaeSpec, read: (folder: string) => Promise<tf.LayersModel>): Promise<Vae>;
  /** The models whose weights training updates, each weight in exactly one of them. */
  trainables(vae: Vae): tf.LayersModel[];
  /** The minimised objective of a batch and its named terms (what the loss curves draw). */
  objective(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): BatchObjective;
  /**
   * The same step as one fused kernel where the backend has one, or null (having run nothing) for the
   * generic way: tfjs's gradients of objective().
   */
  fusedStep(vae: Vae, variables: readonly tf.Variable[], batch: BatchTensors, o: ObjectiveOptions & { reduction: TrainConfig['reduction'] }): StepResult | null;
  /** Standard-normal noise one sample of one image takes (the evaluation and IWAE draws). */
  noiseWidth(spec: VaeSpec): number;
  /** Per-image reconstruction and KL in nats of one sample each, eps [b, 1, noiseWidth] (evaluation mode). */
  elboTerms(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, eps: tf.Tensor3D): { recon: tf.Tensor1D; kl: tf.Tensor1D };
  /** log w of a batch's samples for the IWAE estimate; null for a family without a likelihood. */
  logWeights: ((vae: Vae, batch: BatchTensors) => ChunkLogWeights) | null;
  /** n latent codes drawn from the prior, seeded [n, latentDim] (decoded by the decoder path). */
  samplePrior(spec: VaeSpec, n: number, seed: number): tf.Tensor2D;
  /** Deterministic reconstruction probabilities, the path the reconstruction term decodes. */
  reconstruct(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor2D;
  /** Active units per stochastic layer where the family has several, or null (the z-only count stands). */
  layerUsage(vae: Vae, split: Split, o: { batchSize: number; seed: number; threshold: number }): Promise<LayerMetrics[] | null>;
}
