import * as tf from '@tensorflow/tfjs';
import type { LayerFields } from '../../fused-layers.js';
import { encoderModel, inputs, LayerFactory, withLabel } from '../../layers.js';
import type { Vae } from '../../family.js';
import type { MlpSpec } from '../../types.js';

type Sym = tf.SymbolicTensor;

/** 784 -> hidden (model.activation) ... -> mu, logVar; the label (cvae) joins the input. */
export function mlpEncoder(spec: MlpSpec, seed: number): tf.LayersModel {
  const f = new LayerFactory(seed, spec.init);
  const inp = inputs('image', spec.imageSize, spec.numClasses, spec.kind === 'cvae');
  let h = withLabel(inp.x, inp.y, 'enc_join');
  spec.hidden.forEach((units, i) => {
    h = f.dense(`enc_dense_${i + 1}`, units, spec.activation).apply(h) as Sym;
  });
  return encoderModel(f, h, spec.latentDim, inp.all);
}

/** z -> hidden (model.activation, reversed order) ... -> 784 logits; the label (cvae) joins z. */
export function mlpDecoder(spec: MlpSpec, seed: number): tf.LayersModel {
  const f = new LayerFactory(seed, spec.init);
  const inp = inputs('z', spec.latentDim, spec.numClasses, spec.kind === 'cvae');
  let h = withLabel(inp.x, inp.y, 'dec_join');
  [...spec.hidden].reverse().forEach((units, i) => {
    h = f.dense(`dec_dense_${i + 1}`, units, spec.activation).apply(h) as Sym;
  });
  const logits = f.dense('dec_logits', spec.imageSize).apply(h) as Sym;
  return tf.model({ name: 'decoder', inputs: inp.all, outputs: logits });
}

/** An MLP VAE's dense layers as one fused step takes them: widths, activation, each layer's kernel and bias. */
export interface MlpWeights {
  hidden: number[];
  activation: 'relu' | 'tanh';
  weights: tf.Variable[]; // kernel then bias of enc_dense_1.., enc_mu, enc_logvar, dec_dense_1.., dec_logits
}

/**
 * The weights of a one-stochastic-layer MLP in the order of its dense layers, or null for any other model
 * (conv) or one whose layers are not as mlpEncoder and mlpDecoder build them.
 */
export function mlpWeights({ spec, encoder, decoder }: Vae): MlpWeights | null {
  if (spec.arch !== 'mlp') return null;
  const { hidden, activation } = spec;
  const layers: [tf.LayersModel, string, string][] = [
    ...hidden.map((_, i) => [encoder, `enc_dense_${i + 1}`, activation] as [tf.LayersModel, string, string]),
    [encoder, 'enc_mu', 'linear'],
    [encoder, 'enc_logvar', 'linear'],
    ...hidden.map((_, i) => [decoder, `dec_dense_${i + 1}`, activation] as [tf.LayersModel, string, string]),
    [decoder, 'dec_logits', 'linear'],
  ];
  const weights: tf.Variable[] = [];
  for (const [model, name, expected] of layers) {
    const layer = model.layers.find((l) => l.name === name) as unknown as LayerFields | undefined;
    if (layer === undefined || !layer.useBias || layer.bias === null || layer.activation.getClassName() !== expected) return null;
    weights.push(layer.kernel.read() as tf.Variable, layer.bias.read() as tf.Variable);
  }
  return { hidden: [...hidden], activation, weights };
}
