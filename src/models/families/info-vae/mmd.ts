import * as tf from '@tensorflow/tfjs';

/**
 * The maximum mean discrepancy that InfoVAE (Zhao et al. 2019, "InfoVAE: Balancing Learning and Inference
 * in Variational Autoencoders", the MMD-VAE) and WAE-MMD (Tolstikhin et al. 2018, "Wasserstein
 * Auto-Encoders") penalise between a minibatch of codes z ~ q(z|x) and as many draws from the prior.
 *
 * The kernels are pythae's (clementchadebec/benchmark_VAE at 6419e21), identical in
 * src/pythae/models/info_vae/info_vae_model.py (imq_kernel lines 140-153, rbf_kernel 155-162) and
 * src/pythae/models/wae_mmd/wae_mmd_model.py (imq_kernel 105-118, rbf_kernel 120-127), with
 *   C = 2 d sigma^2      (Cbase there, 2 * latent_dim * kernel_bandwidth**2; d the code dimension)
 *   rbf: k(a, b) = exp(-||a - b||^2 / C)
 *   imq: k(a, b) = sum over s in IMQ_SCALES of s C / (s C + ||a - b||^2)
 * The IMQ form is the WAE paper's (section 4: C / (C + ||a - b||^2) with C = 2 d sigma_z^2, the expected
 * squared distance between two prior draws) summed over the scales of its authors' code (tolstikhin/wae,
 * wae.py, mmd_penalty, where sigma^2 is pz_scale**2); pythae's default `scales` (info_vae_config.py lines
 * 31-33, wae_mmd_config.py 30-32) are these. pythae's RBF bandwidth is the same C; the WAE authors' own
 * RBF picks its bandwidth from the data (a median heuristic) instead, which this does not do.
 */
export type MmdKernel = 'rbf' | 'imq';

/** The multipliers of C summed by the IMQ kernel: pythae's default `scales`, from the WAE code. */
export const IMQ_SCALES: readonly number[] = [0.1, 0.2, 0.5, 1, 2, 5, 10];

interface KernelForm {
  /** k as a function of the squared distance, elementwise. */
  ofSquaredDistance: (d2: tf.Tensor2D, c: number) => tf.Tensor2D;
  /** k(a, a): the kernel at distance 0, which the unbiased estimator leaves out. */
  atZero: number;
}

const KERNELS = {
  rbf: { ofSquaredDistance: (d2, c) => tf.exp(tf.div(d2, -c)), atZero: 1 },
  imq: {
    ofSquaredDistance: (d2, c) => tf.addN(IMQ_SCALES.map((s) => tf.div(s * c, tf.add(d2, s * c)))),
    atZero: IMQ_SCALES.length,
  },
} satisfies Record<MmdKernel, KernelForm>;

/**
 * Unbiased estimate of MMD^2 between samples x [n, d] and y [m, d] (Gretton et al. 2012, eq. 3): the mean
 * of k over distinct pairs within x, within y, minus twice the mean over x-y pairs. It can be negative on
 * a single draw; its expectation is the population MMD^2, 0 when x and y share a distribution. For n = m
 * it is pythae's mmd_loss (info_vae_model.py lines 117-121, wae_mmd_model.py 93-97).
 *
 * `scale` is sigma^2 in C = 2 d sigma^2: the variance of an isotropic Gaussian prior in the WAE paper, and
 * pythae's kernel_bandwidth squared (its default 1 gives the default 1 here).
 *
 * Differentiable with respect to x and y (tf.grad, tf.variableGrads); returns a new scalar the caller
 * disposes.
 */
export function mmd(x: tf.Tensor2D, y: tf.Tensor2D, kernel: MmdKernel, scale = 1): tf.Scalar {
  checkShapes(x, y, scale);
  const [n, d] = x.shape;
  const m = y.shape[0];
  const c = 2 * d * scale;
  const { ofSquaredDistance, atZero } = KERNELS[kernel];
  return tf.tidy(() => {
    // Distances do not change under a shared translation; moving both sets to their joint mean keeps the
    // cancellation in ||a||^2 + ||b||^2 - 2 a.b small when the codes sit far from the origin.
    const centre = tf.mean(tf.concat([x, y], 0), 0, true);
    const xc = tf.sub(x, centre) as tf.Tensor2D;
    const yc = tf.sub(y, centre) as tf.Tensor2D;
    const kxx = withinMean(ofSquaredDistance(squaredDistances(xc, xc), c), n, atZero);
    const kyy = withinMean(ofSquaredDistance(squaredDistances(yc, yc), c), m, atZero);
    const kxy = tf.mean(ofSquaredDistance(squaredDistances(xc, yc), c));
    return tf.sub(tf.add(kxx, kyy), tf.mul(kxy, 2)) as tf.Scalar;
  });
}

/**
 * ||a_i - b_j||^2 for every pair as ||a_i||^2 + ||b_j||^2 - 2 a_i.b_j, one matMul instead of an [n, m, d]
 * difference tensor. Rounding can leave an exact-zero distance slightly negative; the clamp at 0 keeps
 * the kernel in range, and the zero gradient it passes there is the true one (d||a - b||^2/da = 2(a - b)
 * vanishes at a = b).
 */
function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const aa = tf.sum(tf.square(a), 1, true);
  const bb = tf.reshape(tf.sum(tf.square(b), 1), [1, b.shape[0]]);
  const ab = tf.matMul(a, b, false, true);
  return tf.relu(tf.sub(tf.add(aa, bb), tf.mul(ab, 2)));
}

/**
 * The mean of a within-set kernel matrix [k, k] over its k(k - 1) off-diagonal entries. The diagonal is
 * k(a, a), the kernel at distance 0, known exactly, so its sum k * atZero is subtracted rather than
 * masked; its gradient is zero either way, since each diagonal distance is identically 0.
 */
function withinMean(kMatrix: tf.Tensor2D, k: number, atZero: number): tf.Scalar {
  return tf.div(tf.sub(tf.sum(kMatrix), k * atZero), k * (k - 1));
}

function checkShapes(x: tf.Tensor, y: tf.Tensor, scale: number): void {
  if (x.rank !== 2 || y.rank !== 2) {
    throw new RangeError(`mmd: x and y must be 2-D [samples, d]; got x [${x.shape.join(', ')}], y [${y.shape.join(', ')}]`);
  }
  const [n, d] = x.shape as [number, number];
  const [m, dy] = y.shape as [number, number];
  if (d !== dy) throw new RangeError(`mmd: x and y must have the same dimension d; got x [${n}, ${d}], y [${m}, ${dy}]`);
  if (d < 1) throw new RangeError(`mmd: the dimension d must be at least 1; got ${d}`);
  if (n < 2 || m < 2) {
    throw new RangeError(`mmd: the unbiased estimate needs at least 2 samples in each set; got n = ${n}, m = ${m}`);
  }
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`mmd: scale (sigma^2) must be a finite number > 0; got ${scale}`);
}
