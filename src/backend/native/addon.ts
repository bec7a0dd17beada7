import { createRequire } from 'node:module';

/**
 * The native addon (native/, built by node-gyp at npm install when oneDNN and a compiler are
 * there): plain functions over Float32Arrays that write into arrays the caller passes. Every size is
 * checked in C++ too, but the kernels here check shapes first and call it only with consistent ones.
 */
export interface NativeAddon {
  sgemm(transposeA: boolean, transposeB: boolean, batch: number, m: number, n: number, k: number, a: Float32Array, aStride: number, b: Float32Array, bStride: number, c: Float32Array): void;
  biasActivation(c: Float32Array, rows: number, cols: number, bias: Float32Array | null, relu: boolean): void;
  setThreads(threads: number): void;
  flushDenormals(on: boolean): void;
  /** The threads the next product or convolution may use (OpenMP's, which oneDNN runs on). */
  threads(): number;
  /** (x, filter, y, ...geometry): forward writes y, backpropInput writes x, backpropFilter writes filter. */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, ...geometry: number[]): void;
  conv2dBackpropInput(dx: Float32Array, filter: Float32Array, dy: Float32Array, ...geometry: number[]): void;
  conv2dBackpropFilter(x: Float32Array, dw: Float32Array, dy: Float32Array, ...geometry: number[]): void;
  dnnlInfo(): string;
  sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array, scale: number): void;
  batchNorm(x: Float32Array, rows: number, cols: number, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null, epsilon: number, y: Float32Array): void;
  adamStep(value: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, ...scalars: number[]): void;
  /** (value, m, v, g, alpha, beta1, beta2, epsilon): the IWAE paper code's Adam step; absent from builds before it. */
  iwaeAdamStep?(value: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, alpha: number, beta1: number, beta2: number, epsilon: number): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, ...geometry: number[]): void;
  resizeNearestGrad(dy: Float32Array, rows: Float32Array, cols: Float32Array, dx: Float32Array, ...shape: number[]): void;
  bernoulliNll(logits: Float32Array, x: Float32Array, rows: number, cols: number, samples: number, out: Float32Array): void;
  bernoulliNllGrad(logits: Float32Array, x: Float32Array, dy: Float32Array, rows: number, cols: number, samples: number, dlogits: Float32Array): void;
  tanh(x: Float32Array, n: number, y: Float32Array): void;
  // absent from builds before them:
  batchNormTrain?(x: Float32Array, rows: number, cols: number, scale: Float32Array, offset: Float32Array, epsilon: number, y: Float32Array, mean: Float32Array, variance: Float32Array): void;
  batchNormTrainGrad?(dy: Float32Array, x: Float32Array, rows: number, cols: number, scale: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number, dx: Float32Array, dscale: Float32Array, doffset: Float32Array): void;
  reluGrad?(dy: Float32Array, x: Float32Array, n: number, dx: Float32Array): void;
  resizeNearest?(x: Float32Array, rows: Float32Array, cols: Float32Array, y: Float32Array, ...shape: number[]): void;
  addRows?(a: Float32Array, rows: number, cols: number, b: Float32Array, out: Float32Array): void;
  biasReluGrad?(dy: Float32Array, y: Float32Array, rows: number, cols: number, dx: Float32Array, dbias: Float32Array): void;
  /** native/src/mlp.cc: dims [B, P, C, D], activation 0 relu / 1 tanh, scalars [beta, reconstructionWeight, freeBits or NaN, gradScale]. */
  mlpElbo?(x: Float32Array, y: Float32Array | null, eps: Float32Array, params: Float32Array[], grads: Float32Array[], terms: Float32Array, dims: number[], hidden: number[], activation: number, scalars: number[]): void;
}

/**
 * Why the addon did not load, with the command that builds it. npm drops an optional dependency whose build
 * failed (no libraries at `npm install`), and `npm rebuild` then finds nothing to build: where the package
 * itself is missing it takes `npm install`; where the package is there but its build is not, `npm rebuild`.
 */
export function notBuiltReason(error: string): string {
  const first = error.split('\n')[0]!;
  const build = first.includes("Cannot find module 'vaelab-native'") ? 'npm install' : 'npm rebuild vaelab-native';
  return `the native addon is not built (${first}); to build it: apt-get install libdnnl-dev && ${build}`;
}

let cached: { ok: true; addon: NativeAddon } | { ok: false; reason: string } | null = null;

/** The addon, or why it cannot load (not built: no compiler or libraries at install time). */
export function loadAddon(): { ok: true; addon: NativeAddon } | { ok: false; reason: string } {
  if (cached !== null) return cached;
  try {
    cached = { ok: true, addon: createRequire(import.meta.url)('vaelab-native') as NativeAddon };
  } catch (err) {
    cached = { ok: false, reason: notBuiltReason(err instanceof Error ? err.message : String(err)) };
  }
  return cached;
}
