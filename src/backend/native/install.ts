import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { VaelabError } from '../../errors.js';
import { loadAddon, type NativeAddon } from './addon.js';
import { nativeConv2d, nativeConv2dBackpropFilter, nativeConv2dBackpropInput, nativeConvBiasRelu, nativeFusedConv2d } from './conv.js';
import { nativeMaxPoolGrad, nativeResizeNearest, nativeResizeNearestGrad } from './pool.js';
import { nativeAdd, nativeBatchNorm, nativeReduce } from './reduce.js';
import { nativeBatchMatMul, nativeDenseBias, nativeFusedMatMul } from './matmul.js';
import { nativeBernoulliNll, nativeBernoulliNllGrad, nativeTanh } from './likelihood.js';
import { nativeMlpElbo } from './mlp-elbo.js';
import { nativeBatchNormTrain, nativeBatchNormTrainGrad, nativeBiasReluGrad, nativeReluGrad } from './norm.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, BERNOULLI_NLL, BERNOULLI_NLL_GRAD, BIAS_RELU_GRAD, CONV_BIAS_RELU, DENSE_BIAS, DENSE_BIAS_RELU, MLP_ELBO, RELU_GRAD } from '../fused-kernels.js';

/**
 * The native backend is tfjs's wasm backend with its heavy kernels swapped for the addon's: tensors stay
 * in the wasm heap, which the addon reads and writes in place. Each kernel it replaces is kept, both as
 * the fallback for cases the addon does not take and to restore plain wasm when that is chosen later.
 */
type Factory = (addon: NativeAddon, original: tf.KernelConfig | undefined) => tf.KernelFunc;

const KERNELS: Record<string, Factory> = {
  BatchMatMul: nativeBatchMatMul,
  _FusedMatMul: nativeFusedMatMul,
  Conv2D: nativeConv2d,
  Conv2DBackpropInput: nativeConv2dBackpropInput,
  Conv2DBackpropFilter: nativeConv2dBackpropFilter,
  FusedConv2D: nativeFusedConv2d,
  Sum: (addon, original) => nativeReduce(addon, original, false),
  Mean: (addon, original) => nativeReduce(addon, original, true),
  FusedBatchNorm: nativeBatchNorm,
  MaxPoolGrad: (addon) => nativeMaxPoolGrad(addon),
  ResizeNearestNeighborGrad: (addon) => nativeResizeNearestGrad(addon),
  Tanh: nativeTanh,
  [BERNOULLI_NLL]: (addon) => nativeBernoulliNll(addon),
  [BERNOULLI_NLL_GRAD]: (addon) => nativeBernoulliNllGrad(addon),
};

/** Kernels of an addon build that has them (one built before them lacks them: tfjs's composites run). */
const OPTIONAL: Record<string, [keyof NativeAddon, Factory]> = {
  [BATCH_NORM_TRAIN]: ['batchNormTrain', (addon) => nativeBatchNormTrain(addon)],
  [BATCH_NORM_TRAIN_GRAD]: ['batchNormTrainGrad', (addon) => nativeBatchNormTrainGrad(addon)],
  [RELU_GRAD]: ['reluGrad', (addon) => nativeReluGrad(addon)],
  [BIAS_RELU_GRAD]: ['biasReluGrad', (addon) => nativeBiasReluGrad(addon)],
  // registered with it: a layer takes the fused path only where BiasReluGrad is there
  [CONV_BIAS_RELU]: ['biasReluGrad', nativeConvBiasRelu],
  [DENSE_BIAS_RELU]: ['biasReluGrad', (addon) => nativeDenseBias(addon, 'relu')],
  [DENSE_BIAS]: ['biasReluGrad', (addon) => nativeDenseBias(addon, 'linear')],
  [MLP_ELBO]: ['mlpElbo', (addon) => nativeMlpElbo(addon)],
  ResizeNearestNeighbor: ['resizeNearest', nativeResizeNearest],
  Add: ['addRows', nativeAdd],
};

let installed: Map<string, tf.KernelConfig | undefined> | null = null;

export interface NativeInfo {
  threads: number;
  libraries: string; // versions, for run.json and the log
}

/**
 * Threads for oneDNN: VAELAB_THREADS, else OMP_NUM_THREADS (a user's, or a sweep's parallel points, which
 * src/sweep/child-executor.ts gives one share of the cores each), else every core. setThreads applies it
 * over whatever OpenMP read at load, so an OMP_NUM_THREADS left out here would be overridden.
 */
export function nativeThreads(): number {
  // the addon refuses more: OpenMP cannot start thousands of threads and fails on the next product
  const most = Math.max(1024, 4 * availableParallelism());
  for (const name of ['VAELAB_THREADS', 'OMP_NUM_THREADS']) {
    const text = process.env[name];
    const asked = Number(text);
    if (Number.isInteger(asked) && asked >= 1 && asked <= most) return asked;
    if (name === 'VAELAB_THREADS' && text !== undefined && text.trim() !== '') {
      throw new VaelabError(`VAELAB_THREADS=${JSON.stringify(text.slice(0, 40))}: expected a whole number of threads from 1 to ${most}`);
    }
  }
  return availableParallelism();
}

/** Swaps the native kernels in on 'wasm' (call with the wasm backend and our fixes registered); idempotent. */
export function installNativeKernels(): { ok: true; info: NativeInfo } | { ok: false; reason: string } {
  const threads = nativeThreads();
  process.env.OMP_NUM_THREADS ??= String(threads); // before the addon (and oneDNN's OpenMP) loads
  const loaded = loadAddon();
  if (!loaded.ok) return loaded;
  const { addon } = loaded;
  addon.setThreads(threads);
  // like torch.set_flush_denormal(True): values below 1.2e-38 become 0 on this thread while native is on
  addon.flushDenormals(true);
  const info = { threads: addon.threads(), libraries: `oneDNN ${addon.dnnlInfo()}` };
  if (installed !== null) return { ok: true, info };
  installed = new Map();
  const optional = Object.entries(OPTIONAL).flatMap(([name, [fn, factory]]) => (typeof addon[fn] === 'function' ? [[name, factory] as const] : []));
  for (const [name, factory] of [...Object.entries(KERNELS), ...optional]) {
    const current: tf.KernelConfig | undefined = tf.getKernel(name, 'wasm');
    installed.set(name, current);
    if (current !== undefined) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: factory(addon, current), setupFunc: current?.setupFunc, disposeFunc: current?.disposeFunc });
  }
  return { ok: true, info };
}

/** Puts the kernels the native ones replaced back: plain wasm (with our fixes) again. */
export function removeNativeKernels(): void {
  if (installed === null) return;
  const loaded = loadAddon();
  if (loaded.ok) loaded.addon.flushDenormals(false);
  for (const [name, original] of installed) {
    tf.unregisterKernel(name, 'wasm');
    if (original !== undefined) tf.registerKernel(original);
  }
  installed = null;
}

export function nativeInstalled(): boolean {
  return installed !== null;
}
