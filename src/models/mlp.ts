import * as tf from '@tensorflow/tfjs';
import { encoderModel, inputs, LayerFactory, withLabel } from './layers.js';
import type { MlpSpec } from './types.js';

type Sym = tf.SymbolicTensor;

/** 784 -> hidden (ReLU) ... -> mu, logVar; the label (cvae) joins the input. */
export function mlpEncoder(spec: MlpSpec, seed: number): tf.LayersModel {
  const f = new LayerFactory(seed, spec.init);
  const inp = inputs('image', spec.imageSize, spec.numClasses, spec.kind === 'cvae');
  let h = withLabel(inp.x, inp.y, 'enc_join');
  spec.hidden.forEach((units, i) => {
    h = f.dense(`enc_dense_${i + 1}`, units, 'relu').apply(h) as Sym;
  });
  return encoderModel(f, h, spec.latentDim, inp.all);
}

/** z -> hidden (ReLU, reversed order) ... -> 784 logits; the label (cvae) joins z. */
export function mlpDecoder(spec: MlpSpec, seed: number): tf.LayersModel {
  const f = new LayerFactory(seed, spec.init);
  const inp = inputs('z', spec.latentDim, spec.numClasses, spec.kind === 'cvae');
  let h = withLabel(inp.x, inp.y, 'dec_join');
  [...spec.hidden].reverse().forEach((units, i) => {
    h = f.dense(`dec_dense_${i + 1}`, units, 'relu').apply(h) as Sym;
  });
  const logits = f.dense('dec_logits', spec.imageSize).apply(h) as Sym;
  return tf.model({ name: 'decoder', inputs: inp.all, outputs: logits });
}
