import * as tf from '@tensorflow/tfjs';
import type { ModelFamily, Vae } from '../../../src/models/family.js';
import { inputs, LayerFactory, withLabel } from '../../../src/models/layers.js';
import { bernoulliNll } from '../../../src/models/likelihood.js';
import type { MlpSpec, VaeSpec } from '../../../src/models/types.js';
import { decode, decodeLogits, encode, modelInputs, standardNormalCodes } from '../../../src/models/vae.js';
import { noisyAeSection, type NoisyAeConfig } from './config.js';

/**
 * A family defined outside src/, to show that a family is one folder: an autoencoder whose code z = mu(x)
 * is read through fixed Gaussian noise in training, z = mu + noise * eps, with the penalty beta * |mu|^2 / 2
 * (the log-density of N(0, I) at the code, up to a constant) in place of a KL. Its encoder's second output
 * is the fixed log-variance 2 log(noise), a constant layer that does not train, so every latent figure reads
 * it as a posterior of a fixed spread. It has no likelihood: no IWAE estimate.
 */
type Sym = tf.SymbolicTensor;
const specOf = (spec: VaeSpec) => spec as MlpSpec & Pick<NoisyAeConfig, 'noise'>;

function encoder(spec: VaeSpec, seed: number): tf.LayersModel {
  const s = specOf(spec);
  const f = new LayerFactory(seed, s.init);
  const inp = inputs('image', s.imageSize, s.numClasses, s.kind === 'cvae');
  let h = withLabel(inp.x, inp.y, 'enc_join');
  s.hidden.forEach((units, i) => (h = f.dense(`enc_dense_${i + 1}`, units, s.activation).apply(h) as Sym));
  const mu = f.dense('enc_mu', s.latentDim).apply(h) as Sym;
  const fixed = tf.layers.dense({ name: 'enc_fixed_logvar', units: s.latentDim, trainable: false, kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: 2 * Math.log(s.noise) }) });
  return tf.model({ name: 'encoder', inputs: inp.all, outputs: [mu, fixed.apply(h) as Sym] });
}

function decoder(spec: VaeSpec, seed: number): tf.LayersModel {
  const s = specOf(spec);
  const f = new LayerFactory(seed, s.init);
  const inp = inputs('z', s.latentDim, s.numClasses, s.kind === 'cvae');
  let h = withLabel(inp.x, inp.y, 'dec_join');
  [...s.hidden].reverse().forEach((units, i) => (h = f.dense(`dec_dense_${i + 1}`, units, s.activation).apply(h) as Sym));
  return tf.model({ name: 'decoder', inputs: inp.all, outputs: f.dense('dec_logits', s.imageSize).apply(h) as Sym });
}

const vaeOf = (spec: VaeSpec, enc: tf.LayersModel, dec: tf.LayersModel): Vae => ({ spec, family: noisyAe, encoder: enc, decoder: dec, networks: { encoder: enc, decoder: dec } });

/** recon [b] and the penalty |mu|^2 / 2 [b] of one noisy reading of each code, eps [b, d]. */
function terms(vae: Vae, x: tf.Tensor2D, y: tf.Tensor2D | null, eps: tf.Tensor2D, training: boolean): { recon: tf.Tensor1D; kl: tf.Tensor1D } {
  const [mu] = vae.encoder.apply(modelInputs(vae, x, y), { training }) as tf.Tensor2D[];
  const z = tf.add(mu!, tf.mul(eps, specOf(vae.spec).noise)) as tf.Tensor2D;
  return { recon: bernoulliNll(decodeLogits(vae, z, y, training), x), kl: tf.mul(tf.sum(tf.square(mu!), 1), 0.5) as tf.Tensor1D };
}

export const noisyAe: ModelFamily = {
  name: 'noisy-ae',
  section: noisyAeSection,
  keyDisplays: {},
  capabilities: (m) => ({ latent: 'continuous', gaussianPosterior: false, closedFormKl: false, likelihood: false, conditional: m.kind === 'cvae' }),
  describe: (m) => `${m.kind.toUpperCase()} noisy autoencoder, ${m.arch}, latentDim ${m.latentDim}, noise ${(m as unknown as NoisyAeConfig).noise}`,
  termsGiveLoss: () => true,
  objectiveName: (_m, loss) => `reconstruction + ${loss.beta === 1 ? '' : `${loss.beta}·`}|μ|²/2 (a noisy autoencoder: no KL, no ELBO)`,
  termNames: () => ({ recon: 'Reconstruction', kl: 'Code penalty |μ|²/2', total: 'Reconstruction + penalty', meaning: 'Reconstruction is the Bernoulli negative log-likelihood of the pixels read through the noisy code, the code penalty half the squared length of the code, and the last panel their sum (no bound on −log p(x): the family has no likelihood).' }),
  note: (m, subject) => (subject === 'codes' ? ` A noisy autoencoder's code is its encoder's output; the spread drawn is the fixed noise ${(m as unknown as NoisyAeConfig).noise}, not a posterior's.` : ''),
  compareNote: () => '',
  build: (spec, seed) => vaeOf(spec, encoder(spec, seed), decoder(spec, seed + 1)),
  load: async (spec, read) => vaeOf(spec, await read('encoder'), await read('decoder')),
  trainables: (vae) => [vae.encoder, vae.decoder],
  objective: (vae, x, y, o) =>
    tf.tidy(() => {
      const eps = tf.randomNormal([x.shape[0], vae.spec.latentDim], 0, 1, 'float32', o.epsSeed) as tf.Tensor2D;
      const { recon, kl } = terms(vae, x, y, eps, o.training);
      const loss = tf.mean(tf.add(tf.mul(recon, o.loss.reconstructionWeight), tf.mul(kl, o.loss.beta))) as tf.Scalar;
      return { loss, recon: tf.mean(recon) as tf.Scalar, kl: tf.mean(kl) as tf.Scalar };
    }),
  fusedStep: () => null,
  noiseWidth: (spec) => spec.latentDim,
  elboTerms: (vae, x, y, eps) => tf.tidy(() => terms(vae, x, y, tf.reshape(eps, [eps.shape[0], eps.shape[2]]) as tf.Tensor2D, false)),
  logWeights: null,
  reconstruct: (vae, x, y) => tf.tidy(() => decode(vae, encode(vae, x, y).mu, y)),
  samplePrior: standardNormalCodes,
  layerUsage: async () => null,
};
