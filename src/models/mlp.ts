import * as tf from '@tensorflow/tfjs';
import { encoderModel, inputs, LayerFactory, withLabel } from './layers.js';
import type { MlpSpec } from './types.js';

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

/** Sets the decoder's output bias (model.outputBias data-mean: the logits of the training mean). */
export function setOutputBias(decoder: tf.LayersModel, bias: Float32Array): void {
  const weights = decoder.getLayer('dec_logits').weights;
  const target = weights.find((w) => w.originalName.endsWith('bias'));
  if (target === undefined || target.shape[0] !== bias.length) throw new RangeError(`dec_logits has no bias of ${bias.length} values`);
  const value = tf.tensor1d(bias);
  target.write(value);
  value.dispose();
}
