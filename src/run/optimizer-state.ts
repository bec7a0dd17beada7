import * as tf from '@tensorflow/tfjs';

/**
 * tfjs's Adam keeps beta1^t and beta2^t as running float32 products but its setWeights recomputes them
 * with pow(), which rounds differently: a resumed run would drift from the uninterrupted one in the
 * last bits. We save the products themselves and put them back, so resume is exact.
 */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

export interface AdamPowers {
  accBeta1: number;
  accBeta2: number;
}

export async function adamPowers(opt: tf.AdamOptimizer): Promise<AdamPowers> {
  const inner = opt as unknown as AdamInternals;
  const [b1, b2] = await Promise.all([inner.accBeta1.data(), inner.accBeta2.data()]);
  return { accBeta1: b1[0]!, accBeta2: b2[0]! };
}

export async function restoreAdam(
  opt: tf.AdamOptimizer,
  weights: { name: string; tensor: tf.Tensor }[],
  powers: AdamPowers,
): Promise<void> {
  await opt.setWeights(weights);
  tf.dispose(weights.map((w) => w.tensor)); // setWeights copied them into variables
  const inner = opt as unknown as AdamInternals;
  tf.tidy(() => {
    inner.accBeta1.assign(tf.scalar(powers.accBeta1));
    inner.accBeta2.assign(tf.scalar(powers.accBeta2));
  });
}
