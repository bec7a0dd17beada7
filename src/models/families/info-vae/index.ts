import * as tf from '@tensorflow/tfjs';
import type { LossConfig } from '../../../config/schema.js';
import { deriveSeed } from '../../../data/batches.js';
import type { BatchObjective, ModelFamily, ModelSection, ObjectiveOptions, Vae } from '../../family.js';
import { standardNormalCodes } from '../../vae.js';
import { objectiveVariant } from '../gaussian/index.js';
import { oneSampleTerms } from '../gaussian/objective.js';
import { infoVaeSection, type InfoVaeModelConfig, type MmdConfig } from './config.js';
import { mmd } from './mmd.js';

/**
 * InfoVAE with the MMD divergence (Zhao et al. 2019, "InfoVAE: Balancing Learning and Inference in
 * Variational Autoencoders"): the Gaussian VAE's networks and prior, trained on
 *   reconstructionWeight * recon + (1 - alpha) * beta * KL(q(z|x) || p(z)) + (alpha + lambda - 1) * MMD^2(q(z), p(z))
 * per batch, the MMD between the batch's codes z ~ q(z|x) and as many draws from N(0, I) (mmd.ts, the
 * unbiased estimator with pythae's kernels). alpha = 0, lambda = 1 is the VAE; alpha = 1 drops the KL and
 * keeps the MMD alone (the MMD-VAE). Its decoder and prior are a VAE's, so the IWAE estimate of log p(x)
 * through its encoder stays an estimate of the same quantity and the test -ELBO a bound on it: both are
 * reported, though the objective trades them for an aggregate posterior closer to the prior.
 */
const mmdOf = (model: ModelSection): MmdConfig => (model as unknown as InfoVaeModelConfig).mmd;

export const PRIOR_STREAM = 0x1f0_aae; // the prior draws the MMD compares against, apart from the step's eps

function infoVaeObjective(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): BatchObjective {
  const { alpha, lambda, kernel, scale } = mmdOf(vae.spec);
  return tf.tidy(() => {
    const { posterior, z, recon, kl } = oneSampleTerms(vae, x, y, o);
    const terms = [tf.mul(recon, o.loss.reconstructionWeight), tf.mul(kl, (1 - alpha) * o.loss.beta)];
    // the unbiased MMD needs two codes: a last batch of one image (a training set one over a multiple of the batch) goes without it
    if (x.shape[0] >= 2) terms.push(tf.mul(mmd(z, standardNormalCodes(vae.spec, x.shape[0], deriveSeed(o.epsSeed, PRIOR_STREAM)), kernel, scale), alpha + lambda - 1));
    const loss = tf.addN(terms) as tf.Scalar;
    return { loss, recon, kl };
  });
}

function objectiveName(model: ModelSection, loss: LossConfig): string {
  const { alpha, lambda, kernel } = mmdOf(model);
  const klWeight = (1 - alpha) * loss.beta;
  const parts = [loss.reconstructionWeight === 1 ? 'reconstruction' : `${loss.reconstructionWeight}·reconstruction`];
  if (klWeight !== 0) parts.push(`${klWeight === 1 ? '' : `${+klWeight.toPrecision(4)}·`}KL`);
  parts.push(`${+(alpha + lambda - 1).toPrecision(6)}·MMD² (${kernel} kernel)`);
  return `InfoVAE: ${parts.join(' + ')}${loss.warmup === null || klWeight === 0 ? '' : ', the KL weight warmed up'}`;
}

export const infoVae: ModelFamily = {
  ...objectiveVariant(() => infoVae, {
    title: 'InfoVAE',
    weights(m) {
      const { alpha, lambda, kernel } = mmdOf(m);
      return `α ${alpha}, λ ${lambda}, ${kernel} MMD`;
    },
    minimises: 'InfoVAE minimises neither alone: its objective weights the KL by 1 − α and adds the MMD between the batch\'s codes and prior draws (the panel "Objective minimised").',
  }),
  name: 'info-vae',
  keyDisplays: {
    'model.mmd': {
      head: 'InfoVAE α, λ',
      shown: (v) => (v == null ? '' : `InfoVAE α ${(v as MmdConfig).alpha}, λ ${(v as MmdConfig).lambda}`),
      cell: (v) => (v == null ? '—' : `${(v as MmdConfig).alpha}, ${(v as MmdConfig).lambda} (${(v as MmdConfig).kernel})`),
    },
  },
  section: infoVaeSection,
  objectiveName,
  objective: infoVaeObjective,
};
