/**
 * Per-class Gaussians of the aggregate posterior, for drawing one contour per digit over a latent
 * scatter. A class's aggregate posterior is the mixture (1/N) sum_i N(mu_i, diag(exp(logVar_i))); the
 * 2D Gaussian with the same first two moments has
 *   mean = mean of the mu_i,
 *   cov  = mean of the diag(exp(logVar_i))  +  population covariance (/ N) of the mu_i,
 * the law of total variance. Drawing only the covariance of the means would understate the spread the
 * decoder actually sees; drawing only the variances would ignore how the means scatter.
 */

export type Vec2 = [number, number];
export type Mat2 = [[number, number], [number, number]];

export interface ClassGaussian {
  label: number;
  mean: Vec2;
  cov: Mat2;
  count: number; // members of the class
}

/**
 * A linear map from the latent space to the plane: y = Pᵀ (z - mean), with P's columns `components`.
 * pca2's result is one as it stands, so contours land on its `projected` points.
 */
export interface Projection2 {
  components: readonly [ArrayLike<number>, ArrayLike<number>];
  mean?: ArrayLike<number>; // omitted: no centring
}

/** Classes in latent dims `dims` (e.g. [0, 1]); classes with no members are left out. */
export function classGaussians(
  mu: Float32Array,
  logVar: Float32Array,
  labels: Uint8Array,
  count: number,
  dim: number,
  dims: [number, number],
  numClasses = 10,
): ClassGaussian[] {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d >= dim) throw new RangeError(`classGaussians: dims ${d} is outside 0..${dim - 1}`);
  }
  // Choosing two coordinates is the projection onto those two unit axes.
  const axis = (d: number): Float64Array => {
    const e = new Float64Array(dim);
    e[d] = 1;
    return e;
  };
  return classGaussiansProjected(mu, logVar, labels, count, dim, { components: [axis(dims[0]), axis(dims[1])] }, numClasses);
}

/**
 * The same moment-matched Gaussians after the projection y = Pᵀ (z - c): mean = Pᵀ (mean mu - c),
 * cov = Pᵀ diag(mean exp(logVar)) P + covariance of the projected means. Exact for any P, because
 * a linear map of a mixture moves its mean and covariance exactly this way.
 */
export function classGaussiansProjected(
  mu: Float32Array,
  logVar: Float32Array,
  labels: Uint8Array,
  count: number,
  dim: number,
  projection: Projection2,
  numClasses = 10,
): ClassGaussian[] {
  if (mu.length !== count * dim || logVar.length !== count * dim) {
    throw new RangeError(`classGaussians: mu and logVar need ${count} x ${dim} values, got ${mu.length} and ${logVar.length}`);
  }
  if (labels.length !== count) throw new RangeError(`classGaussians: ${labels.length} labels for ${count} points`);
  const [p0, p1] = projection.components;
  if (p0.length !== dim || p1.length !== dim) throw new RangeError(`classGaussians: projection columns must have length ${dim}`);
  const centre = projection.mean;
  if (centre !== undefined && centre.length !== dim) throw new RangeError(`classGaussians: projection mean must have length ${dim}`);

  // First pass: project every mean, and sum per class the projected means and the posterior variances.
  const y = new Float64Array(count * 2);
  const members = new Float64Array(numClasses);
  const sumY = new Float64Array(numClasses * 2);
  const sumVar = new Float64Array(numClasses * dim);
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    if (label >= numClasses) throw new RangeError(`classGaussians: label ${label} at ${i} is not below numClasses ${numClasses}`);
    let u = 0;
    let w = 0;
    for (let d = 0; d < dim; d++) {
      const z = mu[i * dim + d]! - (centre?.[d] ?? 0);
      u += z * p0[d]!;
      w += z * p1[d]!;
      sumVar[label * dim + d]! += Math.exp(logVar[i * dim + d]!);
    }
    y[i * 2] = u;
    y[i * 2 + 1] = w;
    members[label]! += 1;
    sumY[label * 2]! += u;
    sumY[label * 2 + 1]! += w;
  }

  // Second pass: scatter about the class means (two passes avoid the cancellation of E[y²] - E[y]²).
  const scatter = new Float64Array(numClasses * 3); // xx, xy, yy
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    const du = y[i * 2]! - sumY[label * 2]! / members[label]!;
    const dw = y[i * 2 + 1]! - sumY[label * 2 + 1]! / members[label]!;
    scatter[label * 3]! += du * du;
    scatter[label * 3 + 1]! += du * dw;
    scatter[label * 3 + 2]! += dw * dw;
  }

  const out: ClassGaussian[] = [];
  for (let label = 0; label < numClasses; label++) {
    const n = members[label]!;
    if (n === 0) continue;
    // Pᵀ diag(v) P for the mean posterior variances v.
    let vxx = 0;
    let vxy = 0;
    let vyy = 0;
    for (let d = 0; d < dim; d++) {
      const v = sumVar[label * dim + d]! / n;
      vxx += v * p0[d]! * p0[d]!;
      vxy += v * p0[d]! * p1[d]!;
      vyy += v * p1[d]! * p1[d]!;
    }
    const cxy = vxy + scatter[label * 3 + 1]! / n;
    out.push({
      label,
      mean: [sumY[label * 2]! / n, sumY[label * 2 + 1]! / n],
      cov: [
        [vxx + scatter[label * 3]! / n, cxy],
        [cxy, vyy + scatter[label * 3 + 2]! / n],
      ],
      count: n,
    });
  }
  return out;
}

/**
 * The k-sigma contour of N(mean, cov): the points at Mahalanobis distance k, i.e.
 * mean + k (sqrt(l1) cos t v1 + sqrt(l2) sin t v2) over the eigenpairs of cov. In 2D it encloses
 * 1 - exp(-k²/2) of the mass (39% for k = 1, 86% for k = 2). Returns segments + 1 points, the last
 * equal to the first, so a line drawn through them closes.
 */
export function ellipse(mean: Vec2, cov: Mat2, k: number, segments = 64): Vec2[] {
  if (!Number.isInteger(segments) || segments < 3) throw new RangeError(`ellipse: segments must be an integer >= 3, got ${segments}`);
  const a = cov[0][0];
  const c = cov[1][1];
  const b = (cov[0][1] + cov[1][0]) / 2;
  const half = Math.hypot((a - c) / 2, b);
  const l1 = (a + c) / 2 + half;
  const l2 = (a + c) / 2 - half;
  if (!(l2 >= -1e-12 * Math.max(1, Math.abs(l1)))) {
    throw new RangeError(`ellipse: covariance [[${a}, ${b}], [${b}, ${c}]] is not positive semi-definite`);
  }
  // Major axis direction; atan2 handles a = c and b = 0 without special cases.
  const theta = 0.5 * Math.atan2(2 * b, a - c);
  const cosT = Math.cos(theta);
  const sinT = Math.sin(theta);
  const r1 = k * Math.sqrt(Math.max(l1, 0));
  const r2 = k * Math.sqrt(Math.max(l2, 0));
  const points: Vec2[] = [];
  for (let s = 0; s <= segments; s++) {
    const t = s === segments ? 0 : (2 * Math.PI * s) / segments; // the last point repeats the first exactly
    const u = r1 * Math.cos(t);
    const w = r2 * Math.sin(t);
    points.push([mean[0] + u * cosT - w * sinT, mean[1] + u * sinT + w * cosT]);
  }
  return points;
}
