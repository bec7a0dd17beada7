import * as tf from '@tensorflow/tfjs';
import { encoderModel, inputs, LayerFactory, withLabel } from '../../layers.js';
import type { ConvSpec } from '../../types.js';

type Sym = tf.SymbolicTensor;

/**
 * The conv post's architecture: every conv and hidden dense layer is followed by ReLU and then
 * BatchNorm. Encoder: conv3x3 1->64, maxpool 2, conv3x3 64->32, maxpool 2, flatten 1568
 * (+ label for a cvae), dense 400, then linear mu and logVar.
 */
export function convEncoder(spec: ConvSpec, seed: number): tf.LayersModel {
  const f = new LayerFactory(seed, spec.init);
  const inp = inputs('image', spec.imageSize, spec.numClasses, spec.kind === 'cvae');
  let h = tf.layers.reshape({ name: 'enc_to_image', targetShape: [spec.height, spec.width, 1] }).apply(inp.x) as Sym;
  h = f.conv('enc_conv_1', 64).apply(h) as Sym;
  h = f.batchNorm('enc_bn_1').apply(h) as Sym;
  h = tf.layers.maxPooling2d({ name: 'enc_pool_1', poolSize: 2 }).apply(h) as Sym;
  h = f.conv('enc_conv_2', 32).apply(h) as Sym;
  h = f.batchNorm('enc_bn_2').apply(h) as Sym;
  h = tf.layers.maxPooling2d({ name: 'enc_pool_2', poolSize: 2 }).apply(h) as Sym;
  h = tf.layers.flatten({ name: 'enc_flatten' }).apply(h) as Sym;
  h = withLabel(h, inp.y, 'enc_join');
  h = f.dense('enc_dense_1', 400, 'relu').apply(h) as Sym;
  h = f.batchNorm('enc_bn_3').apply(h) as Sym;
  return encoderModel(f, h, spec.latentDim, inp.all);
}

/**
 * z (+ label) -> dense 400 -> dense 1568 -> 7x7x32 -> nearest x2 -> conv3x3 32->64 -> nearest x2 ->
 * conv3x3 64->1 logits, flattened to 784 so both archs share one interface.
 */
export function convDecoder(spec: ConvSpec, seed: number): tf.LayersModel {
  const f = new LayerFactory(seed, spec.init);
  const inp = inputs('z', spec.latentDim, spec.numClasses, spec.kind === 'cvae');
  const h0 = spec.height / 4;
  const w0 = spec.width / 4;
  let h = withLabel(inp.x, inp.y, 'dec_join');
  h = f.dense('dec_dense_1', 400, 'relu').apply(h) as Sym;
  h = f.batchNorm('dec_bn_1').apply(h) as Sym;
  h = f.dense('dec_dense_2', h0 * w0 * 32, 'relu').apply(h) as Sym;
  h = f.batchNorm('dec_bn_2').apply(h) as Sym;
  h = tf.layers.reshape({ name: 'dec_to_maps', targetShape: [h0, w0, 32] }).apply(h) as Sym;
  h = tf.layers.upSampling2d({ name: 'dec_up_1', size: [2, 2] }).apply(h) as Sym;
  h = f.conv('dec_conv_1', 64).apply(h) as Sym;
  h = f.batchNorm('dec_bn_3').apply(h) as Sym;
  h = tf.layers.upSampling2d({ name: 'dec_up_2', size: [2, 2] }).apply(h) as Sym;
  h = f.conv('dec_logits_map', 1, 'linear').apply(h) as Sym;
  const logits = tf.layers.flatten({ name: 'dec_logits' }).apply(h) as Sym;
  return tf.model({ name: 'decoder', inputs: inp.all, outputs: logits });
}
