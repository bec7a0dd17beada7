import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-core's FusedBatchNorm gradient tiles 1/sqrt(variance) to the whole activation (~1.0 s a step on
 * wasm at [128, 28, 28, 64]) and handles only rank-1 statistics. This one broadcasts instead, reduces
 * each full-size product once, and returns the same five gradients for any statistics shape that
 * broadcasts against x.
 */
export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  // offset is saved (unlike tfjs-core) only for its shape, so its gradient can be reduced to it.
  inputsToSave: ['x', 'mean', 'variance', 'scale', 'offset'],
  gradFunc: (dyOrList, saved, attrs) => {
    const dy = Array.isArray(dyOrList) ? dyOrList[0] : dyOrList;
    const [x, mean, variance, scale, offset] = saved;
    if (dy === undefined || x === undefined || mean === undefined || variance === undefined) {
      throw new Error('FusedBatchNorm gradient needs dy, x, mean and variance');
    }
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    // The statistics' common shape: every factor below is constant along x's other axes, so it can be
    // pulled out of the sums and each full-size product is reduced only once.
    const statsShape = [mean, variance, scale, offset].reduce<number[]>(
      (shape, t) => (t === undefined ? shape : tf.broadcast_util.assertAndGetBroadcastShape(shape, t.shape)),
      [],
    );
    const invStd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const gain = scale === undefined ? invStd : tf.mul(invStd, scale); // d y / d x
    const sumDy = sumTo(dy, statsShape);
    const sumDyCentred = tf.tidy(() => sumTo(tf.mul(dy, tf.sub(x, mean)), statsShape));
    return {
      x: () => tf.mul(dy, gain),
      mean: () => sumTo(tf.neg(tf.mul(sumDy, gain)), mean.shape),
      variance: () => sumTo(tf.mul(sumDyCentred, tf.mul(gain, tf.mul(tf.square(invStd), -0.5))), variance.shape),
      scale: () => sumTo(tf.mul(sumDyCentred, invStd), (scale ?? mean).shape),
      offset: () => sumTo(sumDy, (offset ?? mean).shape),
    };
  },
};

/** Sums t over the axes along which `shape` broadcasts to it, giving a tensor of exactly `shape`. */
function sumTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, t.shape);
  const summed = axes.length === 0 ? t : tf.sum(t, axes, true);
  return tf.util.arraysEqual(summed.shape, shape) ? summed : tf.reshape(summed, shape);
}
