import * as tf from '@tensorflow/tfjs';

/**
 * tfjs's Adam keeps beta1^t and beta2^t as running float32 products but its setWeights recomputes them
 * with pow(), which rounds differently: a resumed run would drift from the uninterrupted one in the
 * last bits. We save the products themselves and put them back, so resume is exact. An optimizer whose
 * getWeights holds its whole state (the IWAE paper code's Adam, which computes its powers from the step
 * count) has no powers: null.
 */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

export interface AdamPowers {
  accBeta1: number;
  accBeta2: number;
}

/**
 * Whether the optimizer keeps beta powers, as tfjs's Adam does. Not instanceof: tfjs's Optimizer answers
 * instanceof for every optimizer-shaped object (its Symbol.hasInstance), subclasses included.
 */
function hasPowers(opt: tf.Optimizer): opt is tf.Optimizer & AdamInternals {
  return 'accBeta1' in opt && 'accBeta2' in opt;
}

export async function adamPowers(opt: tf.Optimizer): Promise<AdamPowers | null> {
  if (!hasPowers(opt)) return null;
  const [b1, b2] = await Promise.all([opt.accBeta1.data(), opt.accBeta2.data()]);
  return { accBeta1: b1[0]!, accBeta2: b2[0]! };
}

export async function restoreAdam(opt: tf.Optimizer, weights: { name: string; tensor: tf.Tensor }[], powers: AdamPowers | null): Promise<void> {
  if (hasPowers(opt) && powers === null) throw new Error("restoreAdam: tfjs's Adam needs the saved beta powers to resume exactly");
  await opt.setWeights(weights);
  tf.dispose(weights.map((w) => w.tensor)); // setWeights copied them into variables
  if (powers === null || !hasPowers(opt)) return;
  tf.tidy(() => {
    opt.accBeta1.assign(tf.scalar(powers.accBeta1));
    opt.accBeta2.assign(tf.scalar(powers.accBeta2));
  });
}
