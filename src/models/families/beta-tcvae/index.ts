import * as tf from '@tensorflow/tfjs';
import type { LossConfig } from '../../../config/schema.js';
import type { BatchObjective, ModelFamily, ModelSection, ObjectiveOptions, Vae } from '../../family.js';
import { bernoulliNll, gaussianKl } from '../../likelihood.js';
import { decodeLogits, encode, reparameterize, standardNormalCodes } from '../../vae.js';
import { gaussianBody } from '../gaussian/index.js';
import { betaTcVaeSection, type BetaTcVaeModelConfig, type TcConfig } from './config.js';
import { tcLogDensities, tcTerms } from './estimators.js';

/**
 * β-TCVAE (Chen et al. 2018, "Isolating Sources of Disentanglement in Variational Autoencoders"): the
 * Gaussian VAE's networks and prior, trained on
 *   reconstructionWeight * recon + w * (alpha * MI + beta * TC + gamma * dimension-wise KL)
 * where the three parts split the batch's KL through the aggregate posterior q(z), estimated from the
 * batch with the training set's size N (estimators.ts), and w is loss.warmup's ramp (1 without one).
 * alpha = beta = gamma = 1 is the VAE's objective up to the estimators' error. The decoder and prior are a
 * VAE's: the test -ELBO and the IWAE estimate measure the same model as for a VAE.
 */
const tcOf = (model: ModelSection): TcConfig => (model as unknown as BetaTcVaeModelConfig).tc;

function betaTcObjective(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, o: ObjectiveOptions): BatchObjective {
  const { alpha, beta, gamma, estimator } = tcOf(vae.spec);
  if (o.trainImages === undefined) throw new Error('model.family beta-tcvae: the objective needs the training set size (ObjectiveOptions.trainImages)');
  const n = o.trainImages;
  return tf.tidy(() => {
    const posterior = encode(vae, x, y, o.training);
    const eps = tf.randomNormal(posterior.mu.shape, 0, 1, 'float32', o.epsSeed) as tf.Tensor2D;
    const z = reparameterize(posterior, eps);
    const recon = tf.mean(bernoulliNll(decodeLogits(vae, z, y, o.training), x)) as tf.Scalar;
    const kl = tf.mean(gaussianKl(posterior.mu, posterior.logVar)) as tf.Scalar;
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
  ...gaussianBody(() => betaTcVae),
  name: 'beta-tcvae',
  section: betaTcVaeSection,
  capabilities: (m) => ({ latent: 'continuous', gaussianPosterior: true, closedFormKl: true, likelihood: true, conditional: m.kind === 'cvae' }),
  describe(m) {
    const { alpha, beta, gamma } = tcOf(m);
    return `β-TCVAE ${m.kind === 'cvae' ? '(conditional) ' : ''}${m.arch}${m.arch === 'mlp' ? `, hidden ${m.hidden.join('-')}` : ''}, latentDim ${m.latentDim}, α ${alpha}, β ${beta}, γ ${gamma}`;
  },
  termsGiveLoss: () => false, // the three parts are batch estimates: the trainer sums each step's loss
  objectiveName,
  termNames: () => ({
    recon: 'Reconstruction',
    kl: 'KL',
    total: '−ELBO',
    meaning: "Reconstruction is the Bernoulli negative log-likelihood of the pixels, KL the divergence of the encoder's posterior from the N(0, I) prior, and −ELBO their sum, an upper bound on −log p(x). β-TCVAE minimises the reconstruction plus the KL's three parts weighted apart (mutual information α, total correlation β, dimension-wise KL γ): the training loss.",
  }),
  objective: betaTcObjective,
};
