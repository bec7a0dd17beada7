/**
 * The standard normal quantile function, for placing latent grid points where the prior N(0, I) puts
 * equal probability mass (the manifold figure decodes z at these points).
 *
 * Wichura's AS241 (PPND16, Applied Statistics 37(3), 1988) rather than Acklam + a Halley step: AS241 is
 * accurate to about 1e-16 relative on its own, while Halley's refinement needs an erfc accurate to the
 * last bit, which JavaScript's Math does not have.
 */

// Central region |p - 0.5| <= 0.425: a rational function in r = 0.180625 - q^2, coefficients lowest first.
const A = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const B = [
  1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
  39307.89580009271061, 28729.085735721942674, 5226.495278852854561,
];
// Tails with r = sqrt(-log(min(p, 1 - p))) <= 5, i.e. down to p of about 1.4e-11: in r - 1.6.
const C = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const D = [
  1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
// Far tails, r > 5: in r - 5.
const E = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const F = [
  1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
  7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
];

function horner(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) value = value * x + coefficients[i]!;
  return value;
}

/** Φ⁻¹(p) for the standard normal; throws RangeError unless 0 < p < 1 (the ends are ±infinity). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`inverseNormalCdf: p must be in (0, 1), got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * horner(A, r)) / horner(B, r);
  }
  // Work with the smaller tail probability so 1 - p loses no digits for p near 0.
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = horner(C, r) / horner(D, r);
  } else {
    r -= 5;
    value = horner(E, r) / horner(F, r);
  }
  return q < 0 ? -value : value;
}

/**
 * n latent coordinates Φ⁻¹(linspace(0.05, 0.95, n)), as in the Keras VAE manifold figure
 * (`norm.ppf(np.linspace(0.05, 0.95, n))`): equal prior mass between neighbours, and the ends stop at
 * the 5% and 95% quantiles (±1.645) because the prior's far tails decode to little. Ascending; n = 1
 * gives [Φ⁻¹(0.05)] as numpy's linspace does. The upper half is the mirror of the lower half, so the
 * grid is exactly symmetric about 0 (evaluating 1 - p directly would differ from -Φ⁻¹(p) in the last bits).
 */
export function gridQuantiles(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`gridQuantiles: n must be a positive integer, got ${n}`);
  if (n === 1) return [inverseNormalCdf(0.05)];
  const lo = 0.05;
  const hi = 0.95;
  const out = new Array<number>(n);
  for (let i = 0; i < Math.floor(n / 2); i++) {
    const z = inverseNormalCdf(lo + ((hi - lo) * i) / (n - 1));
    out[i] = z;
    out[n - 1 - i] = -z;
  }
  // For odd n the middle point is p = 0.5 exactly in real arithmetic; rounding in lo + step * i may land
  // an ulp off, so set Φ⁻¹(0.5) = 0 directly.
  if (n % 2 === 1) out[(n - 1) / 2] = 0;
  return out;
}
