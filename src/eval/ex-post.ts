import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.js';
import { deriveSeed } from '../data/batches.js';
import { GMM_FORMAT, type ExPostMixture } from '../run/gmm-file.js';
import { fitGmm, sampleGmm } from './probes/gmm.js';

/**
 * Ex-post density estimation (Ghosh et al. 2020, "From Variational to Deterministic Autoencoders"): a
 * Gaussian mixture fitted to the training set's posterior means, drawn from in place of the N(0, I) prior
 * that the aggregate posterior of a trained VAE does not match (the "rough, ambiguous" prior samples of
 * the latent-size study).
 */

const GMM_STREAM = 0x6e11; // the fit's k-means start, apart from every other stream of the run seed
export const GMM_POINTS = 20000; // training means the mixture is fitted on: EM's cost grows with n d^2

export function fitExPost(trainMeans: Float32Array, count: number, d: number, config: Config): ExPostMixture {
  const t0 = performance.now();
  const n = Math.min(count, GMM_POINTS);
  const seed = deriveSeed(config.seed, GMM_STREAM);
  const fit = fitGmm(trainMeans.subarray(0, n * d), n, d, config.eval.gmmComponents, seed);
  return {
    formatVersion: GMM_FORMAT,
    components: config.eval.gmmComponents,
    seed,
    images: n,
    logLikelihood: fit.logLikelihood,
    iterations: fit.iterations,
    converged: fit.converged,
    seconds: (performance.now() - t0) / 1000,
    mixture: fit.mixture,
  };
}

/** Codes drawn from the mixture, as the prior's sampler gives them: [m, d] from a seed. */
export function mixtureDraw(g: ExPostMixture): (m: number, seed: number) => tf.Tensor2D {
  return (m, seed) => tf.tensor2d(sampleGmm(g.mixture, m, seed), [m, g.mixture.d]);
}
