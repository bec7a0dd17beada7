import * as tf from '@tensorflow/tfjs';

/**
 * Kernels of our own that tfjs does not have, registered only by a backend that runs them fused (native):
 * the model layer asks for one by name and otherwise builds the same value from tfjs's ops.
 *
 * BernoulliNll: inputs {logits [R, P], x [R / samples, P]}, attrs {samples} -> [R], row r's
 *   sum_j softplus(l[r, j]) - l[r, j] x[r / samples, j].
 * BernoulliNllGrad: inputs {logits, x, dy [R]}, attrs {samples} -> [R, P], dy[r] (sigmoid(l) - x).
 * BatchNormTrain: inputs {x [..., C], scale [C], offset [C]}, attrs {epsilon} -> [y, mean [C], variance [C]]:
 *   BatchNorm with the batch's statistics over every axis but the last (tfjs's moments: the biased variance).
 * BatchNormTrainGrad: inputs {dy, x, scale, mean, variance}, attrs {epsilon} -> [dx, dscale, doffset],
 *   through the statistics too.
 * ReluGrad: inputs {dy, x} -> dy where x > 0, else 0.
 * BiasReluGrad: inputs {dy, y [..., C]} (y a layer's relu(. + bias)) -> [dx, dbias [C]]: dx = ReluGrad(dy, y),
 *   dbias its sum over every axis but the last.
 * ConvBiasRelu: inputs {x [N, H, W, Ci], filter [fh, fw, Ci, C], bias [C]}, Conv2D's attrs -> relu(conv + bias),
 *   NHWC, dilations 1 (FusedConv2D's arithmetic, under a name whose gradient src/models/fused-layers.ts registers).
 * DenseBiasRelu: inputs {x [N, K], kernel [K, C], bias [C]} -> relu(x kernel + bias) (likewise _FusedMatMul's).
 * DenseBias: the same inputs -> x kernel + bias, a linear layer (tfjs's own fuses it, in reshapes and a customGrad).
 * MlpElbo: inputs {x [B, P], y [B, C] (a cvae's one-hot labels; absent for a vae), eps [B, D], p0, p1, ... (an MLP's
 *   weights, kernel then bias of each layer: the encoder's hidden layers, mu, logVar, the decoder's hidden layers,
 *   logits)}, attrs MlpElboAttrs -> [value (the objective times gradScale), terms ([loss, recon, kl] batch means,
 *   with free bits [.., klFloored, atFloor]), the gradient of value for each p]: a whole step of the one-sample
 *   ELBO (src/train/step.ts) where tfjs would run ~120 kernels. No gradient of its own: it is one.
 */
export const BERNOULLI_NLL = 'VaelabBernoulliNll';
export const BERNOULLI_NLL_GRAD = 'VaelabBernoulliNllGrad';
export const BATCH_NORM_TRAIN = 'VaelabBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'VaelabBatchNormTrainGrad';
export const RELU_GRAD = 'VaelabReluGrad';
export const BIAS_RELU_GRAD = 'VaelabBiasReluGrad';
export const CONV_BIAS_RELU = 'VaelabConvBiasRelu';
export const DENSE_BIAS_RELU = 'VaelabDenseBiasRelu';
export const DENSE_BIAS = 'VaelabDenseBias';
export const MLP_ELBO = 'VaelabMlpElbo';

export interface MlpElboAttrs {
  hidden: number[]; // the encoder's widths (the decoder's reversed)
  activation: 'relu' | 'tanh';
  beta: number;
  reconstructionWeight: number;
  freeBits: number | null;
  gradScale: number; // 1, or the batch size with reduction sum
}

/** Whether the active backend has kernel `name` registered. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
