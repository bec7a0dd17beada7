import * as tf from '@tensorflow/tfjs';
import type { LossConfig } from '../../../config/schema.js';
import type { BatchObjective, ModelFamily, ModelSection, ObjectiveOptions, Vae } from '../../family.js';
import { objectiveVariant } from '../gaussian/index.js';
import { oneSampleTerms } from '../gaussian/objective.js';
import { betaTcVaeSection, type BetaTcVaeModelConfig, type TcConfig } from './config.js';
import { tcLogDensities, tcTerms } from './estimators.js';

/**
 * β-TCVAE (Chen et al. 2018, "Isolating Sources of Disentanglement in Variational Autoencoders"): the
 * Gaussian VAE's networks and prior, trained on
 *   reconstructionWeight * recon + w * (alpha * MI + beta * TC + gamma * dimension-wise KL)
 * where the three parts split the batch's KL through the aggregate posterior q(z), estimated from the
 * batch with the training set's size N (estimators.ts), and w is loss.warmup's ramp (1 without one).
 * With alpha = beta = gamma = 1 the parts add up to log q(z|x) - log p(z) under either estimator: the
 * one-sample ELBO with a sampled KL. The decoder and prior are a
 * VAE's: the test -ELBO and the IWAE estimate measure the same model as for a VAE.
 */
const tcOf = (model: ModelSection): TcConfig => (model as unknown as BetaTcVaeModelConfig).tc;

function betaTcObjective(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): BatchObjective {
  const { alpha, beta, gamma, estimator } = tcOf(vae.spec);
  if (o.trainImages === undefined) throw new Error('model.family beta-tcvae: the objective needs the training set size (ObjectiveOptions.trainImages)');
  const n = o.trainImages;
  return tf.tidy(() => {
    const { posterior, z, recon, kl } = oneSampleTerms(vae, x, y, o);
    // the estimators need two codes: a last batch of one image (a training set one over a multiple of the batch) takes the VAE's KL
    const t = x.shape[0] < 2 ? null : tcTerms(tcLogDensities(z, posterior.mu, posterior.logVar, Math.max(n, x.shape[0]), estimator));
    const parts = t === null ? kl : tf.addN([tf.mul(t.mutualInformation, alpha), tf.mul(t.totalCorrelation, beta), tf.mul(t.dimensionwiseKl, gamma)]);
    const loss = tf.add(tf.mul(recon, o.loss.reconstructionWeight), tf.mul(parts, o.loss.beta)) as tf.Scalar;
    return { loss, recon, kl };
  });
}

function objectiveName(model: ModelSection, loss: LossConfig): string {
  const { alpha, beta, gamma, estimator } = tcOf(model);
  const w = (v: number) => (v === 1 ? '' : `${v}·`);
  return `β-TCVAE: ${w(loss.reconstructionWeight)}reconstruction + ${w(alpha)}MI + ${w(beta)}TC + ${w(gamma)}dimension-wise KL (${estimator.toUpperCase()})${loss.warmup === null ? '' : ', the three weights warmed up'}`;
}

export const betaTcVae: ModelFamily = {
  ...objectiveVariant(() => betaTcVae, {
    title: 'β-TCVAE',
    weights(m) {
      const { alpha, beta, gamma } = tcOf(m);
      return `α ${alpha}, β ${beta}, γ ${gamma}`;
    },
    minimises: "β-TCVAE minimises the reconstruction plus the KL's three parts weighted apart (mutual information α, total correlation β, dimension-wise KL γ): the panel \"Objective minimised\".",
  }),
  name: 'beta-tcvae',
  keyDisplays: {
    'model.tc': {
      head: 'β-TCVAE α, β, γ',
      shown: (v) => (v == null ? '' : `β-TCVAE α ${(v as TcConfig).alpha}, β ${(v as TcConfig).beta}, γ ${(v as TcConfig).gamma}`),
      cell: (v) => (v == null ? '—' : `${(v as TcConfig).alpha}, ${(v as TcConfig).beta}, ${(v as TcConfig).gamma} (${(v as TcConfig).estimator.toUpperCase()})`),
    },
  },
  section: betaTcVaeSection,
  objectiveName,
  objective: betaTcObjective,
};
