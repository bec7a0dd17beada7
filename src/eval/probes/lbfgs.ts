/**
 * Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search, in
 * float64. It is meant for smooth convex objectives such as the probes' regularized cross-entropy: there
 * every accepted step has s'y > 0, so the Armijo condition alone keeps the inverse-Hessian estimate
 * positive definite and no Wolfe curvature test is needed.
 */

/** Writes the gradient at theta into grad and returns the objective's value there. */
export type Objective = (theta: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  iterations: number; // most quasi-Newton steps taken
  memory?: number; // (s, y) pairs kept; 10 is scipy's default
  gradTol?: number; // stop once the largest |gradient| component is at most this
  relTol?: number; // stop once a step lowers the value by at most this fraction of max(|f|, 1)
}

export interface LbfgsResult {
  theta: Float64Array;
  value: number;
  iterations: number;
  converged: boolean; // false when the iteration budget ran out or the line search found no decrease
}

const ARMIJO = 1e-4; // sufficient-decrease constant c1
const MAX_HALVINGS = 60; // a step of 2^-60 changes nothing a float64 can see

export function lbfgs(f: Objective, theta0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const m = opts.memory ?? 10;
  const gradTol = opts.gradTol ?? 1e-6;
  const relTol = opts.relTol ?? 1e-12;
  const n = theta0.length;
  let x = Float64Array.from(theta0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  const p = new Float64Array(n);
  const pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  const done = (iterations: number, converged: boolean): LbfgsResult => ({ theta: x, value: fx, iterations, converged });

  for (let it = 0; it < opts.iterations; it++) {
    if (maxAbs(g) <= gradTol) return done(it, true);
    direction(g, pairs, p);
    let slope = dot(g, p);
    if (!(slope < 0)) {
      // rounding has spoiled the curvature pairs: restart from steepest descent
      pairs.length = 0;
      for (let i = 0; i < n; i++) p[i] = -g[i]!;
      slope = -dot(g, g);
    }
    // without curvature pairs the direction is -g, whose length has no relation to a good step
    let step = pairs.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let fNew = NaN;
    for (let h = 0; ; h++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * p[i]!;
      fNew = f(xNew, gNew);
      if (fNew <= fx + ARMIJO * step * slope) break;
      if (h === MAX_HALVINGS) return done(it, false);
      step *= 0.5;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * dot(y, y)) {
      if (pairs.length === m) pairs.shift();
      pairs.push({ s, y, rho: 1 / sy });
    }
    const decrease = fx - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    fx = fNew;
    if (decrease <= relTol * Math.max(Math.abs(fx), 1)) return done(it + 1, true);
  }
  return done(opts.iterations, maxAbs(g) <= gradTol);
}

/** p = -H g by the two-loop recursion, H scaled by s'y / y'y of the newest pair. */
function direction(g: Float64Array, pairs: { s: Float64Array; y: Float64Array; rho: number }[], p: Float64Array): void {
  p.set(g);
  const alpha = new Float64Array(pairs.length);
  for (let k = pairs.length - 1; k >= 0; k--) {
    const { s, y, rho } = pairs[k]!;
    const a = rho * dot(s, p);
    alpha[k] = a;
    axpy(-a, y, p);
  }
  const last = pairs[pairs.length - 1];
  const gamma = last === undefined ? 1 : 1 / (last.rho * dot(last.y, last.y));
  for (let i = 0; i < p.length; i++) p[i]! *= gamma;
  for (let k = 0; k < pairs.length; k++) {
    const { s, y, rho } = pairs[k]!;
    axpy(alpha[k]! - rho * dot(y, p), s, p);
  }
  for (let i = 0; i < p.length; i++) p[i] = -p[i]!;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
