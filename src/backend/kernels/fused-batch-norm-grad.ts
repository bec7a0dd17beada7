import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-core's FusedBatchNorm gradient tiles 1/sqrt(variance) to the whole activation (~1.0 s a step on
 * wasm at [128, 28, 28, 64]) and sums only rank-1 statistics. This one broadcasts instead, reduces each
 * full-size product once, and returns the same five gradients for any statistics shape that broadcasts
 * against x (offset taking mean's shape).
 */
export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  // tfjs-core's contract. offset's value is not needed, so its gradient takes mean's shape. (tfjs 4.22's
  // tape cannot differentiate a batchNorm missing scale or offset at all, whatever the gradient.)
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dyOrList, saved, attrs) => {
    const dy = Array.isArray(dyOrList) ? dyOrList[0] : dyOrList;
    const [x, mean, variance, scale] = saved;
    if (dy === undefined || x === undefined || mean === undefined || variance === undefined || scale === undefined) {
      throw new Error('FusedBatchNorm gradient needs dy, x, mean, variance and scale');
    }
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    // The statistics' common shape: every factor below is constant along x's other axes, so it can be
    // pulled out of the sums and each full-size product is reduced only once.
    const statsShape = [mean, variance, scale].reduce<number[]>(
      (shape, t) => tf.broadcast_util.assertAndGetBroadcastShape(shape, t.shape),
      [],
    );
    const invStd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const gain = tf.mul(invStd, scale); // d y / d x
    const sumDy = sumTo(dy, statsShape);
    const sumDyCentred = tf.tidy(() => sumTo(tf.mul(dy, tf.sub(x, mean)), statsShape));
    return {
      x: () => tf.mul(dy, gain),
      mean: () => sumTo(tf.neg(tf.mul(sumDy, gain)), mean.shape),
      variance: () => sumTo(tf.mul(sumDyCentred, tf.mul(gain, tf.mul(tf.square(invStd), -0.5))), variance.shape),
      scale: () => sumTo(tf.mul(sumDyCentred, invStd), scale.shape),
      offset: () => sumTo(sumDy, mean.shape),
    };
  },
};

/** Sums t over the axes along which `shape` broadcasts to it, giving a tensor of exactly `shape`. */
function sumTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  let axes = tf.backend_util.getReductionAxes(shape, t.shape);
  let summed = t;
  if (t.rank === 4 && axes.includes(1) && axes.includes(2)) {
    // wasm's Sum first transposes the reduced axes innermost, ~60 ms at [128, 28, 28, 64]; a pooling
    // window over the whole image sums height and width in one channel-contiguous pass (~10 ms), and is
    // more accurate than the plain running sum.
    const [, height, width] = t.shape as [number, number, number, number];
    summed = tf.mul(tf.avgPool(t as tf.Tensor4D, [height, width], 1, 'valid'), height * width);
    axes = axes.filter((axis) => axis !== 1 && axis !== 2);
  }
  if (axes.length > 0) summed = tf.sum(summed, axes, true);
  return tf.util.arraysEqual(summed.shape, shape) ? summed : tf.reshape(summed, shape);
}
