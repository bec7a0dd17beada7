import type * as tf from '@tensorflow/tfjs';
import type { Vae, ModelSection } from '../../family.js';
import type { MlpSpec, VaeSpec } from '../../types.js';
import type { IntermediateConfig } from './config.js';

/** The four conditionals of a two-stochastic-layer model, each [mu, logVar] of a Gaussian but pX (logits). */
export interface Conditionals {
  readonly qH1: tf.LayersModel; // x (+ y) -> h1
  readonly qZ: tf.LayersModel; // h1 (+ y) -> z
  readonly pH1: tf.LayersModel; // z (+ y) -> h1
  readonly pX: tf.LayersModel; // h1 (+ y) -> logits of x
}

export type TwoLayerSpec = MlpSpec & { intermediate: IntermediateConfig };

/** The second stochastic layer of a two-layer model section (the schema makes it present). */
export function intermediateOf(model: ModelSection): IntermediateConfig {
  const intermediate = (model as { intermediate?: IntermediateConfig }).intermediate;
  if (intermediate === undefined || model.arch !== 'mlp') throw new Error('a two-layer model section needs arch mlp and model.intermediate');
  return intermediate;
}

/** The spec as a two-stochastic-layer one. */
export function twoLayerSpec(spec: VaeSpec): TwoLayerSpec {
  return { ...(spec as MlpSpec), intermediate: intermediateOf(spec) };
}

/** The conditionals in a fixed order (the optimizer's variables), each with its checkpoint folder. */
export const FOLDERS = { qH1: 'q-h1', qZ: 'q-z', pH1: 'p-h1', pX: 'p-x' } as const satisfies Record<keyof Conditionals, string>;
export const CONDITIONALS = ['qH1', 'qZ', 'pH1', 'pX'] as const satisfies readonly (keyof Conditionals)[];

/** A two-layer model's conditionals, from the networks its checkpoint holds. */
export function conditionalsOf(vae: Vae): Conditionals {
  const n = vae.networks;
  const get = (name: keyof Conditionals) => {
    const model = n[FOLDERS[name]];
    if (model === undefined) throw new Error(`a two-layer model lacks its ${FOLDERS[name]} network`);
    return model;
  };
  return { qH1: get('qH1'), qZ: get('qZ'), pH1: get('pH1'), pX: get('pX') };
}

/** The noise one sample needs: h1's dimensions, then z's. */
export function noiseWidth(spec: TwoLayerSpec): number {
  return spec.intermediate.latentDim + spec.latentDim;
}
