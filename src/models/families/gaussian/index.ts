import { objectiveName } from '../../../config/objective.js';
import { ELBO_TERMS } from '../../elbo-objective.js';
import * as tf from '@tensorflow/tfjs';
import { VaelabError } from '../../../errors.js';
import type { Capabilities, ModelFamily, ModelSection, Vae } from '../../family.js';
import type { VaeSpec } from '../../types.js';
import { decode, encode, standardNormalCodes } from '../../vae.js';
import { convDecoder, convEncoder } from './conv.js';
import { gaussianElboTerms, gaussianLogWeights } from './evaluate.js';
import { fusedElbo } from './fused-step.js';
import { mlpDecoder, mlpEncoder } from './mlp.js';
import { gaussianObjective } from './objective.js';

/**
 * The Gaussian VAE and CVAE (Kingma & Welling 2014): q(z | x) = N(mu(x), diag(exp(logVar(x)))), the prior
 * N(0, I), a Bernoulli decoder; an mlp (model.hidden, model.activation) or the conv post's network.
 */
export function gaussianNetworks(spec: VaeSpec, seed: number): { encoder: tf.LayersModel; decoder: tf.LayersModel } {
  switch (spec.arch) {
    case 'mlp':
      return { encoder: mlpEncoder(spec, seed), decoder: mlpDecoder(spec, seed + 1) };
    case 'conv':
      if (spec.height % 4 !== 0 || spec.width % 4 !== 0) throw new VaelabError(`model.arch conv needs image sides divisible by 4, the data has ${spec.height}x${spec.width}`);
      return { encoder: convEncoder(spec, seed), decoder: convDecoder(spec, seed + 1) };
  }
}

/**
 * The members of a family that keeps the Gaussian VAE's networks, prior and evaluation and changes only
 * what it minimises (InfoVAE, β-TCVAE); `self` names the family its models belong to. Training goes through
 * tfjs's gradients: the fused step is the one-sample ELBO's.
 */
export function gaussianBody(self: () => ModelFamily) {
  const vaeOf = (spec: VaeSpec, encoder: tf.LayersModel, decoder: tf.LayersModel): Vae => ({ spec, family: self(), encoder, decoder, networks: { encoder, decoder } });
  return {
    keyDisplays: {},
    note: () => '',
    compareNote: () => '',
    build(spec: VaeSpec, seed: number) {
      const { encoder, decoder } = gaussianNetworks(spec, seed);
      return vaeOf(spec, encoder, decoder);
    },
    load: async (spec: VaeSpec, read: (folder: string) => Promise<tf.LayersModel>) => vaeOf(spec, await read('encoder'), await read('decoder')),
    trainables: (vae: Vae) => [vae.encoder, vae.decoder],
    fusedStep: () => null,
    noiseWidth: (spec: VaeSpec) => spec.latentDim,
    elboTerms: gaussianElboTerms,
    logWeights: gaussianLogWeights,
    reconstruct: (vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null) => tf.tidy(() => decode(vae, encode(vae, x, y).mu, y)),
    samplePrior: standardNormalCodes,
    layerUsage: async () => null,
  } satisfies Partial<ModelFamily>;
}

const CAPABILITIES = (m: ModelSection): Capabilities => ({ latent: 'continuous', gaussianPosterior: true, closedFormKl: true, likelihood: true, conditional: m.kind === 'cvae' });

/** How a family that changes only the objective (gaussianBody) names itself: its title, its weights in words, what it minimises. */
export interface VariantWords {
  title: string; // "InfoVAE"
  weights: (model: ModelSection) => string; // "α 0, λ 10, imq MMD"
  minimises: string; // the loss curves' caption sentence on what the training loss is
}

/**
 * gaussianBody with the members such a family words alike: the VAE's capabilities, the summary's model line,
 * the ELBO's term names (its figures draw recon, KL and −ELBO) and a training loss summed step by step.
 */
export function objectiveVariant(self: () => ModelFamily, words: VariantWords) {
  return {
    ...gaussianBody(self),
    capabilities: CAPABILITIES,
    describe: (m: ModelSection) => `${words.title} ${m.kind === 'cvae' ? '(conditional) ' : ''}${m.arch}${m.arch === 'mlp' ? `, hidden ${m.hidden.join('-')}` : ''}, latentDim ${m.latentDim}, ${words.weights(m)}`,
    termsGiveLoss: () => false, // batch terms (an MMD, aggregate-posterior estimates): the trainer sums each step's loss
    termNames: () => ({ ...ELBO_TERMS, meaning: `${ELBO_TERMS.meaning} ${words.minimises}` }),
  } satisfies Partial<ModelFamily>;
}

export const gaussian: ModelFamily = {
  ...gaussianBody(() => gaussian),
  name: 'gaussian',
  section: null, // the default family: its shapes are schema.ts's own
  capabilities: CAPABILITIES,
  describe: (m) => `${m.kind.toUpperCase()}, ${m.arch}${m.arch === 'mlp' ? `, hidden ${m.hidden.join('-')}` : ''}, latentDim ${m.latentDim}`,
  termsGiveLoss: () => true,
  objectiveName: (_m, loss) => objectiveName(loss),
  termNames: () => ELBO_TERMS,
  objective: gaussianObjective,
  fusedStep: fusedElbo,
};
