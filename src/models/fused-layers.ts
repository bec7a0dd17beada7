import * as tf from '@tensorflow/tfjs';
import { BIAS_RELU_GRAD, CONV_BIAS_RELU, DENSE_BIAS, DENSE_BIAS_RELU, hasKernel } from '../backend/fused-kernels.js';

/*
 * tfjs fuses a layer's product, bias and ReLU into one kernel only where no gradient is taken: in training a
 * ReLU conv or dense layer is its product, an Add and a Relu forward, and a ReluGrad and a Sum backward, each a
 * full pass over the layer's output (~15 ms of a native conv step at [128, 28, 28, 64] on 2 cores). Where the
 * backend has the fused kernels (native), these layers train on ConvBiasRelu or DenseBiasRelu forward and
 * BiasReluGrad backward: the same arithmetic in the same order, so the same bits, in fewer passes and kernels. Same class
 * names, weights and configs, so checkpoints read and write as before; every other case runs tfjs's own code.
 */

/** The fields of tfjs-layers' Conv2D and Dense that training reads (public in its JavaScript, not in its types). */
export interface LayerFields {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  useBias: boolean;
  activation: { getClassName(): string };
}

interface ConvFields extends LayerFields {
  rank: number;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
}

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];
type DenseArgs = Parameters<typeof tf.layers.dense>[0];
type LayerClass<A> = (new (args: A) => tf.layers.Layer) & { fromConfig: tf.serialization.SerializableConstructor<tf.layers.Layer>['fromConfig'] };
// tfjs exports the layers' factories, not their classes
const StockConv2D = tf.layers.conv2d({ filters: 1, kernelSize: 1 }).constructor as LayerClass<ConvArgs>;
const StockDense = tf.layers.dense({ units: 1 }).constructor as LayerClass<DenseArgs>;

/**
 * The fused kernel a training call of this layer runs, chosen by its activation from `byActivation`, with its
 * bias; null where tfjs's own code runs (no such kernel on this backend, no bias, inference, not float32).
 */
function fusedKernel(f: LayerFields, x: tf.Tensor, training: boolean | undefined, byActivation: Record<string, string>): { kernel: string; bias: { read(): tf.Tensor } } | null {
  const kernel = byActivation[f.activation.getClassName()];
  if (training !== true || !f.useBias || f.bias === null || kernel === undefined || x.dtype !== 'float32') return null;
  return hasKernel(BIAS_RELU_GRAD) && hasKernel(kernel) ? { kernel, bias: f.bias } : null;
}

/** The one gradient of a kernel with one output. */
const single = (dy: tf.Tensor | tf.Tensor[]) => (Array.isArray(dy) ? dy[0]! : dy);

/*
 * The fused kernels' gradients: one BiasReluGrad pass for the output's gradient dz and the bias's, then the
 * product's gradients, each only when asked for (an encoder's first layer needs none for its input: tfjs
 * prunes it, and so these do, where a customGrad would compute every input's).
 */
function biasReluGradient(kernelName: string, product: (dz: tf.Tensor, x: tf.Tensor, w: tf.Tensor, attrs: tf.NamedAttrMap) => { x: () => tf.Tensor; w: () => tf.Tensor }, weightName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', weightName],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, w, y] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      // outside the per-input scopes, so each of them can read it; the backward pass's scope disposes it
      const [dz, db] = tf.engine().runKernel(BIAS_RELU_GRAD, { dy: single(dy), y }) as [tf.Tensor, tf.Tensor];
      const grads = product(dz, x, w, attrs);
      return { x: grads.x, [weightName]: grads.w, bias: () => db };
    },
  };
}

tf.registerGradient(
  biasReluGradient(
    CONV_BIAS_RELU,
    (dz, x, w, attrs) => ({
      x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
      w: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...attrs, filterShape: w.shape }) as tf.Tensor,
    }),
    'filter',
  ),
);
const denseProduct = (dz: tf.Tensor, x: tf.Tensor, w: tf.Tensor) => ({ x: () => tf.matMul(dz, w, false, true), w: () => tf.matMul(x, dz, true, false) });
tf.registerGradient(biasReluGradient(DENSE_BIAS_RELU, denseProduct, 'kernel'));
// a linear layer: its output's gradient is dy itself, the bias's its sum over the rows (tfjs's Sum, as its own)
tf.registerGradient({
  kernelName: DENSE_BIAS,
  inputsToSave: ['x', 'kernel'],
  gradFunc: (dy, saved) => {
    const [x, w] = saved as [tf.Tensor, tf.Tensor];
    const dz = single(dy);
    const { x: dx, w: dw } = denseProduct(dz, x, w);
    return { x: dx, kernel: dw, bias: () => tf.sum(dz, 0) };
  },
});

/** tfjs-layers' Conv2D, trained on the fused kernels where the backend has them (see above). */
export class Conv extends StockConv2D {
  static readonly className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const f = this as unknown as ConvFields;
    const dilations = typeof f.dilationRate === 'number' ? [f.dilationRate, f.dilationRate] : f.dilationRate;
    const plain = f.rank === 2 && x.rank === 4 && f.dataFormat === 'channelsLast' && (f.padding === 'same' || f.padding === 'valid') && dilations.every((d) => d === 1);
    const fused = plain ? fusedKernel(f, x, kwargs.training, { relu: CONV_BIAS_RELU }) : null;
    if (fused === null) return super.call(inputs, kwargs);
    return tf.engine().runKernel(fused.kernel, { x, filter: f.kernel.read(), bias: fused.bias.read() }, { strides: f.strides, pad: f.padding, dataFormat: 'NHWC', dilations: [1, 1] }) as tf.Tensor;
  }
}

/** tfjs-layers' Dense, trained on the fused kernels where the backend has them (see above). */
export class Dense extends StockDense {
  static readonly className = 'Dense';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const f = this as unknown as LayerFields;
    const fused = x.rank === 2 ? fusedKernel(f, x, kwargs.training, { relu: DENSE_BIAS_RELU, linear: DENSE_BIAS }) : null;
    if (fused === null) return super.call(inputs, kwargs);
    return tf.engine().runKernel(fused.kernel, { x, kernel: f.kernel.read(), bias: fused.bias.read() }) as tf.Tensor;
  }
}

// checkpoints name the classes Conv2D and Dense: loading one builds these layers too
tf.serialization.registerClass(Conv as unknown as tf.serialization.SerializableConstructor<Conv>);
tf.serialization.registerClass(Dense as unknown as tf.serialization.SerializableConstructor<Dense>);
