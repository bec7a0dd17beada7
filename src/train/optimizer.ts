import * as tf from '@tensorflow/tfjs';
import { adamInPlace, nativeAdamActive, type AdamSlot } from '../backend/native/adam.js';
import type { TrainConfig } from '../config/schema.js';
import { IwaeCodeAdam } from './iwae-code-adam.js';

type AdamConfig = TrainConfig['adam'];
const PYTORCH_ADAM: AdamConfig = { variant: 'pytorch', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** tfjs's AdamOptimizer state, which its class keeps protected. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

/**
 * tfjs's Adam, whose update runs as one native call per variable on the native backend (the same float32
 * operations in the same order, so the same bits); everywhere else, and whenever a variable's buffer is
 * shared, tfjs's own update. Its state (moments, beta powers) is tfjs's, so checkpoints do not change.
 */
class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const self = this as unknown as AdamState;
    const named: (readonly [string, tf.Tensor | undefined])[] = Array.isArray(variableGradients) ? variableGradients.map((v) => [v.name, v.tensor] as const) : Object.entries(variableGradients);
    // The beta powers are read synchronously below, which only a CPU backend can do cheaply (webgpu cannot).
    if (!nativeAdamActive() || named.some(([, g]) => g == null)) return super.applyGradients(variableGradients);
    const slots: AdamSlot[] = named.map(([name, gradient], i) => {
      const value = tf.engine().registeredVariables[name]!;
      self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      return { value, m: self.accumulatedFirstMoment[i]!.variable, v: self.accumulatedSecondMoment[i]!.variable, gradient: gradient! };
    });
    const scalars = {
      learningRate: self.learningRate,
      beta1: self.beta1,
      beta2: self.beta2,
      epsilon: self.epsilon,
      oneMinusAccBeta1: Math.fround(1 - self.accBeta1.dataSync()[0]!),
      oneMinusAccBeta2: Math.fround(1 - self.accBeta2.dataSync()[0]!),
    };
    if (!adamInPlace(slots, scalars)) return super.applyGradients(variableGradients);
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}

/** The optimizer a run trains with: tfjs's Adam (train.adam.variant pytorch) or the IWAE paper code's. */
export type TrainOptimizer = tf.AdamOptimizer | IwaeCodeAdam;

/**
 * Adam with train.adam's variant, betas and epsilon (by default PyTorch's, the setting of the reference
 * figures we compare against), at train.learningRate until the schedule sets another (setLearningRate).
 */
type AdamOptions = Omit<AdamConfig, 'variant'> & Partial<Pick<AdamConfig, 'variant'>>;
export function createAdam(learningRate: number, adam?: AdamOptions & { variant?: 'pytorch' }): tf.AdamOptimizer;
export function createAdam(learningRate: number, adam: AdamOptions): TrainOptimizer;
export function createAdam(learningRate: number, adam: AdamOptions = PYTORCH_ADAM): TrainOptimizer {
  const { variant = 'pytorch', beta1, beta2, epsilon } = adam;
  switch (variant) {
    case 'pytorch':
      return new FusedAdam(learningRate, beta1, beta2, epsilon);
    case 'iwae-code':
      return new IwaeCodeAdam(learningRate, beta1, beta2, epsilon);
  }
}

/** The step size of the next steps (a schedule's stage); tfjs keeps it protected, read at every update. */
export function setLearningRate(optimizer: TrainOptimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
