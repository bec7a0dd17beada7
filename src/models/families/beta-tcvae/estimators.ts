import * as tf from '@tensorflow/tfjs';

/**
 * Minibatch estimates of the β-TCVAE decomposition of the KL term (Chen et al. 2018, "Isolating Sources of
 * Disentanglement in Variational Autoencoders"):
 *   E[KL(q(z|x) || p(z))] = I(x; z) + TC(z) + sum_d KL(q(z_d) || p(z_d))
 *                         = E[log q(z|x) - log q(z)] + E[log q(z) - log prod_d q(z_d)] + E[log prod_d q(z_d) - log p(z)],
 * where q(z) = (1/N) sum_n q(z|x_n) is the aggregate posterior over the N training images. Read against the
 * authors' code, rtqichen/beta-tcvae at 06e763d:
 *   - vae_quant.py, VAE.elbo: the [M, M, d] matrix of log q(z_i[d] | x_j) (`_logqz`), then, without `mss`,
 *     log q(z_i) = logsumexp_j sum_d - log(N M) and log prod_d q(z_id) = sum_d (logsumexp_j - log(N M));
 *     with `mss`, both logsumexps take the log importance weights logW[i, j] instead of the constant.
 *   - vae_quant.py, VAE._log_importance_weight_matrix: W = 1/M' everywhere (M' = M - 1), 1/N for the image's
 *     own posterior, strat = (N - M') / (N M') for one other. As written there, `W.view(-1)[::M'+1]` strides
 *     by the batch size and so fills column 0, not the diagonal, and `[1::M'+1]` fills column 1 (the known
 *     issue of the repository's open pull request #1 and of YannDubs/disentangling-vae issue #58); its last
 *     line sets W[M'-1, 0]. Here the diagonal is 1/N, W[i, i+1] = strat and W[M-1, 0] = strat (the wrap of
 *     the same superdiagonal), so every row holds its own 1/N, one strat and M - 2 entries 1/M' and sums to
 *     1: each row's weighted sum is then an unbiased estimate of q(z_i) over minibatches drawn without
 *     replacement. The authors' W[M'-1, 0] on the fixed diagonal would give row M - 2 two strat entries and
 *     row M - 1 none.
 *   - lib/dist.py, Normal.log_density: the Gaussian log-density with its -0.5 log(2 pi), kept here too, so
 *     that every log q above is a true log-density and the terms are comparable with exact values.
 * MWS's log(N M) makes each q(z_i) estimate an underestimate by a factor between M and about N (the image's
 * own posterior gets weight 1/(N M) where q(z) gives it 1/N): its log q(z) sits log M to log N nats low, its
 * log prod_d q(z_id) d times that, and its total correlation (d - 1) such offsets high. MSS has only the
 * downward bias of a log of an unbiased estimate. test/families/beta-tcvae-estimators.test.ts measures both.
 */
export type TcEstimator = 'mws' | 'mss'; // minibatch-weighted sampling | minibatch-stratified sampling

/** Per image of the batch, [M] each: log q(z_i|x_i), log q(z_i), log prod_d q(z_id), log p(z_i) with p = N(0, I). */
export interface TcLogDensities {
  logQzx: tf.Tensor1D;
  logQz: tf.Tensor1D;
  logQzProduct: tf.Tensor1D;
  logPz: tf.Tensor1D;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The four log-densities of each image's code for the β-TCVAE decomposition. z [M, d] is one sample per
 * image from its Gaussian posterior N(mu_i, exp(logVar_i)); datasetSize N is the number of training
 * images (the estimator's N, as the paper's code passes dataset_size). 'mws' and 'mss' pick the estimator
 * of log q(z_i) and log prod_d q(z_id); log q(z_i|x_i) and log p(z_i) are exact. Differentiable with respect
 * to z, mu and logVar. Throws a RangeError for M < 2, datasetSize < M and shapes that do not match. Returns
 * new tensors the caller disposes.
 */
export function tcLogDensities(z: tf.Tensor2D, mu: tf.Tensor2D, logVar: tf.Tensor2D, datasetSize: number, estimator: TcEstimator): TcLogDensities {
  checkInputs(z, mu, logVar, datasetSize, estimator);
  const [m, d] = z.shape;
  return tf.tidy(() => {
    const logQzx = tf.sum(gaussianLogDensity(z, mu, logVar), 1) as tf.Tensor1D;
    const logPz = tf.sum(tf.mul(tf.add(tf.square(z), LOG_2PI), -0.5), 1) as tf.Tensor1D;
    // [M, M, d]: entry (i, j, k) is log q(z_i[k] | x_j), z along axis 0 and the posteriors along axis 1.
    const pairwise = gaussianLogDensity(tf.reshape(z, [m, 1, d]), tf.reshape(mu, [1, m, d]), tf.reshape(logVar, [1, m, d]));
    const logWeights = estimator === 'mss' ? tf.tensor2d(Float32Array.from(mssLogWeights(m, datasetSize).flat()), [m, m]) : null;
    const logQz = weightedLogSumExp(tf.sum(pairwise, 2), logWeights, m, datasetSize) as tf.Tensor1D;
    const perDim = weightedLogSumExp(pairwise, logWeights === null ? null : tf.reshape(logWeights, [m, m, 1]), m, datasetSize);
    const logQzProduct = tf.sum(perDim, 1) as tf.Tensor1D;
    return { logQzx, logQz, logQzProduct, logPz };
  });
}

/**
 * Batch means of the three terms: mutual information E[logQzx - logQz], total correlation
 * E[logQz - logQzProduct], dimension-wise KL E[logQzProduct - logPz] (scalars, new tensors the caller
 * disposes). Their sum is E[logQzx - logPz], a one-sample estimate of the batch's mean KL(q(z|x) || p(z))
 * whatever the estimator.
 */
export function tcTerms(d: TcLogDensities): { mutualInformation: tf.Scalar; totalCorrelation: tf.Scalar; dimensionwiseKl: tf.Scalar } {
  return tf.tidy(() => ({
    mutualInformation: tf.mean(tf.sub(d.logQzx, d.logQz)) as tf.Scalar,
    totalCorrelation: tf.mean(tf.sub(d.logQz, d.logQzProduct)) as tf.Scalar,
    dimensionwiseKl: tf.mean(tf.sub(d.logQzProduct, d.logPz)) as tf.Scalar,
  }));
}

/**
 * MSS's log importance weights [M][M] in float64 (log W of vae_quant.py's _log_importance_weight_matrix,
 * with the indexing this file's header explains): row i weighs the posteriors of the batch for z_i, which
 * was drawn from posterior i. Exported for the tests that check its rows.
 */
export function mssLogWeights(batchSize: number, datasetSize: number): number[][] {
  const others = batchSize - 1;
  const strat = (datasetSize - others) / (datasetSize * others);
  const weightOf = (i: number, j: number): number => {
    if (i === j) return 1 / datasetSize;
    return j === (i + 1) % batchSize ? strat : 1 / others;
  };
  return Array.from({ length: batchSize }, (_, i) => Array.from({ length: batchSize }, (_, j) => Math.log(weightOf(i, j))));
}

/**
 * log N(x; mean, exp(logVar)) elementwise, broadcasting: -0.5 (log 2 pi + logVar + (x - mean)^2 exp(-logVar)).
 * exp(-logVar) rather than a division keeps one transcendental per entry and has a plain gradient.
 */
function gaussianLogDensity(x: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  const scaled = tf.mul(tf.square(tf.sub(x, mean)), tf.exp(tf.neg(logVar)));
  return tf.mul(tf.add(tf.add(scaled, logVar), LOG_2PI), -0.5);
}

/**
 * logsumexp over the posteriors (axis 1) of log q + log w: with MSS's weights when given, else with MWS's
 * single weight 1/(N M), which comes out of the sum as -log(N M). tf.logSumExp shifts by the maximum, so a
 * code far from every posterior but its own still gets a finite log-density.
 */
function weightedLogSumExp(logQ: tf.Tensor, logWeights: tf.Tensor | null, m: number, n: number): tf.Tensor {
  if (logWeights === null) return tf.sub(logSumExpOverPosteriors(logQ), Math.log(n * m));
  return logSumExpOverPosteriors(tf.add(logQ, logWeights));
}

/**
 * tf.logSumExp over axis 1 with its gradient written out, dy * softmax: tfjs differentiates its own
 * through the maximum's mask (an Equal over the whole [M, M, d] tensor), which took half of a β-TCVAE step.
 */
function logSumExpOverPosteriors(x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const lse = tf.logSumExp(input, 1, true);
    save([input, lse]);
    return {
      value: tf.squeeze(lse, [1]),
      gradFunc: (dy: tf.Tensor, [saved, total]: tf.Tensor[]) => tf.mul(tf.expandDims(dy, 1), tf.exp(tf.sub(saved!, total!))),
    };
  });
  return op(x);
}

function checkInputs(z: tf.Tensor, mu: tf.Tensor, logVar: tf.Tensor, datasetSize: number, estimator: TcEstimator): void {
  const shapes = `z [${z.shape.join(', ')}], mu [${mu.shape.join(', ')}], logVar [${logVar.shape.join(', ')}]`;
  if (z.rank !== 2 || mu.rank !== 2 || logVar.rank !== 2) throw new RangeError(`tcLogDensities: z, mu and logVar must be 2-D [M, d]; got ${shapes}`);
  const [m, d] = z.shape as [number, number];
  const same = (t: tf.Tensor) => t.shape[0] === m && t.shape[1] === d;
  if (!same(mu) || !same(logVar)) throw new RangeError(`tcLogDensities: z, mu and logVar must have the same shape [M, d]; got ${shapes}`);
  if (d < 1) throw new RangeError(`tcLogDensities: the code dimension d must be at least 1; got ${d}`);
  // One image leaves no other posterior to estimate q(z) from, and MSS's weights divide by M - 1.
  if (m < 2) throw new RangeError(`tcLogDensities: the estimators need a batch of at least 2 images; got M = ${m}`);
  if (!Number.isInteger(datasetSize) || datasetSize < m) {
    throw new RangeError(`tcLogDensities: datasetSize N must be an integer >= the batch size M = ${m} (the batch is drawn from the data set); got ${datasetSize}`);
  }
  if (estimator !== 'mws' && estimator !== 'mss') throw new RangeError(`tcLogDensities: estimator must be 'mws' or 'mss'; got '${String(estimator)}'`);
}
