import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, hasKernel } from '../backend/fused-kernels.js';

/** The fields of tfjs-layers' BatchNormalization that training reads (public in its JavaScript, not in its types). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

interface LayerVariable {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

// tfjs exports the layer's factory, not its class
type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];
const StockBatchNorm = tf.layers.batchNormalization({}).constructor as (new (args: BatchNormArgs) => tf.layers.Layer) & { fromConfig: tf.serialization.SerializableConstructor<tf.layers.Layer>['fromConfig'] };

/**
 * tfjs-layers' BatchNormalization, whose training pass runs as one fused kernel forward and one backward
 * where the backend has them (native: tfjs's moments, normalization and their gradients are ~20 full-size
 * passes, ~90 ms of a conv step at [128, 28, 28, 64]). Same class name, weights and moving-average update,
 * so checkpoints read and write as before; inference, and every other backend, run tfjs's own code.
 */
export class BatchNorm extends StockBatchNorm {
  static readonly className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const f = this as unknown as BatchNormFields;
    const lastAxis = f.axis === -1 || f.axis === x.rank - 1;
    if (kwargs.training !== true || !hasKernel(BATCH_NORM_TRAIN) || !f.center || !f.scale || !lastAxis || x.dtype !== 'float32') return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTrain(x, f.gamma.read(), f.beta.read(), f.epsilon);
      // tfjs's update, as its own training pass makes it: moving -= (moving - batch) * (1 - momentum)
      for (const [moving, batch] of [[f.movingMean, mean], [f.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const before = moving.read();
          moving.write(tf.sub(before, tf.mul(tf.sub(before, batch), 1 - f.momentum)));
        });
      }
      tf.dispose([mean, variance]);
      return y;
    });
  }
}
// checkpoints name the class BatchNormalization: loading one builds this layer too
tf.serialization.registerClass(BatchNorm as unknown as tf.serialization.SerializableConstructor<BatchNorm>);

/**
 * BatchNorm on the batch's statistics with its gradient for x, scale and offset (src/backend/fused-kernels.ts).
 * The caller disposes mean and variance.
 */
function batchNormTrain(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  let stats: tf.Tensor[] = [];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, s, o, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: xs, scale: s, offset: o }, { epsilon }) as tf.Tensor[];
    save([xs, s, mean!, variance!]);
    // customGrad disposes what its forward makes besides the value: the statistics are kept for the caller
    stats = [tf.keep(mean!), tf.keep(variance!)];
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, ss, sm, sv] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy, x: sx, scale: ss, mean: sm, variance: sv }, { epsilon }) as tf.Tensor[];
      },
    };
  });
  const y = op(x, scale, offset);
  return { y, mean: stats[0]!, variance: stats[1]! };
}
