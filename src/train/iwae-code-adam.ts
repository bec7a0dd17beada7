import * as tf from '@tensorflow/tfjs';
import { iwaeAdamInPlace, type AdamSlot } from '../backend/native/adam.js';

/**
 * The Adam of the IWAE paper's code (yburda/iwae, optimizers.py, Adam.updatesIgrad_model), for
 * train.adam.variant iwae-code. Its Theano updates are simultaneous: every new value is computed from the
 * values before the step, so the weights move with the moments of the previous steps, not with this step's
 * gradient. For the gradient g_t of the loss at step t = 1, 2, ... (the paper ascends the bound: the same
 * step with both signs flipped):
 *   alpha_t = learningRate * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   theta_t = theta_{t-1} - alpha_t * m_{t-1} / (sqrt(v_{t-1}) + epsilon)
 *   m_t = beta1 * m_{t-1} + (1 - beta1) * g_t,  m_0 = 0
 *   v_t = beta2 * v_{t-1} + (1 - beta2) * g_t^2,  v_0 = 1
 * So the first step moves nothing, and the bias correction of alpha_t assumes moments from zeros although v
 * starts at ones. The state is the step count and the moments, saved as getWeights lists them (tfjs's
 * layout: the count as an int32 scalar, then every m, then every v), so a checkpoint holds all of it and a
 * resumed run takes the same steps. alpha_t is computed on the host in float64 from the integer count, the
 * same number on every backend and after a resume; nothing is read back from the device.
 */
/** A moment and the name it is saved under (tfjs's OptimizerVariable, which tfjs does not export). */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface Moment {
  originalName: string;
  variable: tf.Variable;
}

export class IwaeCodeAdam extends tf.Optimizer {
  static get className(): string {
    return 'IwaeCodeAdam';
  }

  private m: Moment[] = [];
  private v: Moment[] = [];

  constructor(
    public learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly epsilon: number,
  ) {
    super();
  }

  /** The step size of step t (1-based), the paper's alpha. */
  stepSize(t: number): number {
    return (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
  }

  override applyGradients(variableGradients: Parameters<tf.Optimizer['applyGradients']>[0]): void {
    const named: (readonly [string, tf.Tensor | undefined])[] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    const alpha = this.stepSize(this.iterations + 1);
    if (named.every(([, g]) => g != null)) {
      const slots: AdamSlot[] = named.map(([name, gradient], i) => ({ ...this.moments(name, i), gradient: gradient! }));
      // on native, one call per variable with the same float32 operations as below, so the same bits
      if (iwaeAdamInPlace(slots, { alpha, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon })) {
        this.incrementIterations();
        return;
      }
    }
    tf.tidy(() => {
      named.forEach(([name, gradient], i) => {
        const { value, m, v } = this.moments(name, i);
        if (gradient == null) return;
        // the weights first, from the moments as they were before this step
        value.assign(tf.sub(value, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), alpha)));
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2)));
      });
    });
    this.incrementIterations();
  }

  /** Variable `name`, i-th in the gradient list, with its moments (created at the first step: m 0, v 1). */
  private moments(name: string, i: number): { value: tf.Variable; m: tf.Variable; v: tf.Variable } {
    const value = tf.engine().registeredVariables[name];
    if (value === undefined) throw new Error(`IwaeCodeAdam: no variable named ${name}`);
    this.m[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    this.v[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.onesLike(value).variable(false)) };
    return { value, m: this.m[i]!.variable, v: this.v[i]!.variable };
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [await this.saveIterations(), ...[...this.m, ...this.v].map((s) => ({ name: s.originalName, tensor: s.variable }))];
  }

  /** Takes the tensors over as its moments (the caller disposes its own handles, as with tfjs's Adam). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const moments = await this.extractIterations(weightValues);
    if (moments.length % 2 !== 0) throw new Error(`IwaeCodeAdam: expected first and second moments in pairs, found ${moments.length} tensors`);
    tf.dispose([...this.m, ...this.v].map((s) => s.variable));
    const half = moments.length / 2;
    const adopt = (w: NamedTensor): Moment => ({ originalName: w.name, variable: w.tensor.variable(false) });
    this.m = moments.slice(0, half).map(adopt);
    this.v = moments.slice(half).map(adopt);
  }

  override dispose(): void {
    tf.dispose([...this.m, ...this.v].map((s) => s.variable));
    this.m = [];
    this.v = [];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
