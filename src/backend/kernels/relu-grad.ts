import * as tf from '@tensorflow/tfjs';
import { hasKernel, RELU_GRAD } from '../fused-kernels.js';

/**
 * The ReLU gradient as one kernel where the backend has it (native: tfjs's Step, Cast and Multiply are
 * three full passes, ~20 ms a conv step); everywhere else tfjs's own formula, so other backends keep their bits.
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const g = Array.isArray(dy) ? dy[0] : dy;
    if (x === undefined || g === undefined) throw new Error('Relu gradient needs dy and x');
    return { x: () => (hasKernel(RELU_GRAD) ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as tf.Tensor) : tf.mul(g, tf.cast(tf.step(x), 'float32'))) };
  },
};
