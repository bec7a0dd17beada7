import * as tf from '@tensorflow/tfjs';
import { hasKernel, MLP_ELBO, type MlpElboAttrs } from '../../../backend/fused-kernels.js';
import type { BatchTensors } from '../../../data/batch-tensors.js';
import type { TrainConfig } from '../../../config/schema.js';
import { OBJECTIVE_TRAITS } from '../../../config/objective.js';
import type { ObjectiveOptions, StepResult, Vae } from '../../family.js';
import { mlpWeights } from './mlp.js';

/**
 * The one-sample ELBO step of an MLP VAE or CVAE (objective.ts's singleSample: the same eps, objective and
 * weights) as one MlpElbo kernel where the backend has it (native): the objective, its terms and every
 * weight's gradient, where tfjs runs about 120 kernels and the dispatch of each costs more than its
 * arithmetic. Null, having run nothing, for a model or step it does not cover: the caller takes tfjs's way.
 */
export function fusedElbo(vae: Vae, variables: readonly tf.Variable[], batch: BatchTensors, { loss: weights, epsSeed, reduction }: ObjectiveOptions & { reduction: TrainConfig['reduction'] }): StepResult | null {
  if (OBJECTIVE_TRAITS[weights.objective].perSampleWeights || weights.samples !== 1 || !hasKernel(MLP_ELBO) || batch.x.dtype !== 'float32') return null;
  const plan = mlpWeights(vae);
  // gradients for exactly the step's variables, each once
  if (plan === null || plan.weights.length !== variables.length || new Set(plan.weights).size !== variables.length || !plan.weights.every((w) => variables.includes(w))) return null;
  const [rows] = batch.x.shape;
  const attrs: MlpElboAttrs = {
    hidden: plan.hidden,
    activation: plan.activation,
    beta: weights.beta,
    reconstructionWeight: weights.reconstructionWeight,
    freeBits: weights.freeBits,
    gradScale: reduction === 'sum' ? batch.size : 1,
  };
  return tf.tidy(() => {
    const eps = tf.randomNormal([rows, vae.spec.latentDim], 0, 1, 'float32', epsSeed);
    const inputs: tf.NamedTensorMap = { x: batch.x, eps, ...(batch.y === null ? {} : { y: batch.y }) };
    plan.weights.forEach((w, i) => (inputs[`p${i}`] = w));
    const [value, means, ...grads] = tf.engine().runKernel(MLP_ELBO, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { value: value as tf.Scalar, means: means as tf.Tensor1D, grads: Object.fromEntries(plan.weights.map((w, i) => [w.name, grads[i]!])) };
  });
}
