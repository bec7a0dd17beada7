import { objectiveName } from '../../../config/objective.js';
import { ELBO_TERMS } from '../../elbo-objective.js';
import * as tf from '@tensorflow/tfjs';
import type { CompareNoteSubject, ModelFamily, NoteSubject, Vae } from '../../family.js';
import type { VaeSpec } from '../../types.js';
import { standardNormalCodes } from '../../vae.js';
import { twoLayerModels, twoLayerPaths } from './networks.js';
import { twoLayerObjective } from './objective.js';
import { CONDITIONALS, conditionalsOf, FOLDERS, intermediateOf, noiseWidth, twoLayerSpec, type Conditionals, type TwoLayerSpec } from './spec.js';
import { twoLayerTerms } from './terms.js';
import { twoLayerSection } from './config.js';
import { twoLayerUsage } from './usage.js';

/**
 * Two stochastic layers (Burda et al. 2015, appendix; model.intermediate): h1 between x and z, four
 * Gaussian conditionals, the prior N(0, I) on z, every KL term sampled. The figures draw z through the
 * paths over h1's means (networks.ts).
 */
const specOf = (spec: VaeSpec): TwoLayerSpec => twoLayerSpec(spec);

function vaeOf(spec: VaeSpec, paths: { encoder: tf.LayersModel; decoder: tf.LayersModel }, c: Conditionals): Vae {
  const networks: Record<string, tf.LayersModel> = { encoder: paths.encoder, decoder: paths.decoder };
  for (const name of CONDITIONALS) networks[FOLDERS[name]] = c[name];
  return { spec, family: twoLayer, ...paths, networks };
}

const NOTES: Record<NoteSubject, (d1: number) => string> = {
  codes: (d1) => ` This model has two stochastic layers, h1 (${d1} dimensions) below z: the codes drawn are z's, each image's q(z | h1) taken at h1's posterior mean.`,
  decoding: (d1) => ` With two stochastic layers, z is decoded through the mean of p(h1 | z) (${d1} dimensions), then p(x | h1).`,
  activity: () => ` A z dimension's activity is the variance over the test images of E[z] under q(z | x), averaged over draws of h1 (the paper's definition); its KL is q(z | h1)'s at h1's posterior mean.`,
  reconstruction: (d1) => ` With two stochastic layers, a reconstruction decodes h1's posterior mean (${d1} dimensions) with p(x | h1), the term the reconstruction loss measures; z is not on that path.`,
};

const COMPARE_NOTES: Record<CompareNoteSubject, string> = {
  reconstruction: ' For a run with two stochastic layers a reconstruction decodes h1\'s posterior mean with p(x | h1): z is not on that path.',
  decoding: ' A run with two stochastic layers decodes z through the mean of p(h1 | z), then p(x | h1).',
  codes: ' For a run with two stochastic layers the codes are z\'s: each image\'s q(z | h1) at h1\'s posterior mean.',
  kl: 'two stochastic layers: the KL is the sampled KL of both layers (log q(h1, z | x) − log p(h1, z) at one draw), so the −ELBO is a sampled estimate too, where a one-layer run\'s KL is in closed form.',
};

type Intermediate = { latentDim: number; hidden: number[] } | null | undefined;

export const twoLayer: ModelFamily = {
  name: 'two-layer',
  keyDisplays: {
    'model.intermediate': {
      head: 'stochastic layers',
      shown: (v) => ((v as Intermediate) ?? null) === null ? 'one stochastic layer' : `two stochastic layers, h1 ${(v as NonNullable<Intermediate>).latentDim}`,
      cell: (v) => {
        const m = (v as Intermediate) ?? null;
        return m === null ? '1' : `2 (h1 ${m.latentDim}, hidden ${m.hidden.join('-')})`;
      },
    },
  },
  section: twoLayerSection,
  capabilities: (m) => ({ latent: 'continuous', gaussianPosterior: true, closedFormKl: false, likelihood: true, conditional: m.kind === 'cvae' }),
  describe(m) {
    const i = intermediateOf(m);
    return `${m.kind.toUpperCase()}, mlp${m.arch === 'mlp' ? `, hidden ${m.hidden.join('-')}` : ''}, h1 ${i.latentDim} (hidden ${i.hidden.join('-')} to z), latentDim ${m.latentDim} (z, two stochastic layers)`;
  },
  termsGiveLoss: () => true,
  objectiveName: (_m, loss) => objectiveName(loss, true), // no closed-form KL: every term sampled
  termNames: () => ELBO_TERMS, // both layers' KL, sampled
  note: (m, subject) => NOTES[subject](intermediateOf(m).latentDim),
  compareNote: (subject) => COMPARE_NOTES[subject],
  build(spec, seed) {
    const { intermediate, ...paths } = twoLayerModels(specOf(spec), seed);
    return vaeOf(spec, paths, intermediate); // the decoder path holds p(x | h1)'s output layer, where buildVae sets the bias
  },
  // the conditionals load back; encoder/ and decoder/ are the paths for other programs, wired again here
  async load(spec, read) {
    const c: Conditionals = { qH1: await read(FOLDERS.qH1), qZ: await read(FOLDERS.qZ), pH1: await read(FOLDERS.pH1), pX: await read(FOLDERS.pX) };
    return vaeOf(spec, twoLayerPaths(specOf(spec), c), c);
  },
  // every weight once: the paths share the conditionals' layers but not all of them
  trainables: (vae) => CONDITIONALS.map((name) => conditionalsOf(vae)[name]),
  objective: (vae, x, y, o) => twoLayerObjective(conditionalsOf(vae), noiseWidth(specOf(vae.spec)), x, y, o),
  fusedStep: () => null,
  noiseWidth: (spec) => noiseWidth(specOf(spec)),
  elboTerms(vae, x, y, eps) {
    return tf.tidy(() => {
      const t = twoLayerTerms(conditionalsOf(vae), x, y, eps, false);
      return { recon: tf.reshape(t.recon, [-1]) as tf.Tensor1D, kl: tf.reshape(t.kl, [-1]) as tf.Tensor1D };
    });
  },
  logWeights: (vae, batch) => ({
    of(e) {
      const t = twoLayerTerms(conditionalsOf(vae), batch.x, batch.y, e, false);
      return tf.neg(tf.add(t.recon, t.kl)) as tf.Tensor2D;
    },
    dispose: () => undefined,
  }),
  // h1's posterior mean through p(x | h1), the layer the reconstruction term decodes; the way through z
  // would be a coarser picture of the same image
  reconstruct(vae, x, y) {
    return tf.tidy(() => {
      const { qH1, pX } = conditionalsOf(vae);
      const withLabel = (t: tf.Tensor2D) => (y === null ? t : [t, y]);
      const [h1] = qH1.apply(withLabel(x)) as tf.Tensor2D[];
      return tf.sigmoid(pX.apply(withLabel(h1!)) as tf.Tensor2D);
    });
  },
  samplePrior: standardNormalCodes,
  layerUsage: (vae, split, o) => twoLayerUsage(conditionalsOf(vae), specOf(vae.spec), split, o),
};
