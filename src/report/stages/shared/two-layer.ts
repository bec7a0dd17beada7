import type { Config } from '../../../config/schema.js';

/**
 * What a figure must say about a model with two stochastic layers (model.intermediate), '' for one. The
 * report draws z, the top layer, whose prior is N(0, I): latents.bin holds each image's q(z | h1) at h1's
 * posterior mean, and decoding goes through the mean of p(h1 | z) (src/models/types.ts).
 */
export function twoLayerNote(config: Config, about: 'codes' | 'decoding' | 'reconstruction' | 'activity'): string {
  const m = config.model;
  if (m.arch !== 'mlp' || m.intermediate === null) return '';
  const d1 = m.intermediate.latentDim;
  switch (about) {
    case 'codes':
      return ` This model has two stochastic layers, h1 (${d1} dimensions) below z: the codes drawn are z's, each image's q(z | h1) taken at h1's posterior mean.`;
    case 'decoding':
      return ` With two stochastic layers, z is decoded through the mean of p(h1 | z) (${d1} dimensions), then p(x | h1).`;
    case 'activity':
      return ` A z dimension's activity is the variance over the test images of E[z] under q(z | x), averaged over draws of h1 (the paper's definition); its KL is q(z | h1)'s at h1's posterior mean.`;
    case 'reconstruction':
      return ` With two stochastic layers, a reconstruction decodes h1's posterior mean (${d1} dimensions) with p(x | h1), the term the reconstruction loss measures; z is not on that path.`;
  }
}
