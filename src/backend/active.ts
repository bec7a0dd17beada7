import * as tf from '@tensorflow/tfjs';
import { assertDeviceHealthy, storageBindingLimit } from './webgpu.js';

/**
 * The backend that computes, as the code above src/backend sees it: its health, its limits and its
 * arithmetic, asked through this one object so train, eval, models and report never name a backend. A
 * backend with checks of its own has a row here; the rest compute on the host and have nothing to check.
 */
export interface ActiveBackend {
  /** Throws a user error when the device rejected work since the last check: results computed since are invalid. */
  assertHealthy(what: string): void;
  /** The largest buffer, in bytes, one kernel may bind (Infinity where nothing binds). */
  bindingLimit(): number;
  /**
   * Whether a float32 matMul rounds every product and sum to float32 (in any order), so that its error has
   * the textbook bound K u sum |a_t b_t| that exact searches (src/eval/probes/nearest.ts) rely on. Host
   * backends do: XNNPACK and oneDNN's sgemm use float32 arithmetic (native flushes denormals, which those
   * searches allow for), tfjs's cpu kernels float64. GPU backends may not: WebGL may compute in half
   * precision, WebGPU shaders may be compiled for speed over IEEE rounding, and 'tensorflow' may be CUDA,
   * whose float32 matmuls may run in TF32 (10-bit mantissas).
   */
  ieeeFloat32MatMul(): boolean;
}

const HOST: Omit<ActiveBackend, 'ieeeFloat32MatMul'> = { assertHealthy: () => {}, bindingLimit: () => Infinity };

// Keyed by tfjs's backend name: native runs on 'wasm', tensorflow-gpu on 'tensorflow'.
const WITH_CHECKS: Partial<Record<string, typeof HOST>> = {
  webgpu: { assertHealthy: assertDeviceHealthy, bindingLimit: storageBindingLimit },
};

// Named rather than excluded: a backend not listed here (a new one, or one registered by a package) is not trusted.
const IEEE_FLOAT32_MATMUL = new Set(['wasm', 'cpu']);

/** oneDNN (native) may take bf16 or tf32 products for float32 when this variable asks for them. */
const reducedFpmath = () => (process.env.ONEDNN_DEFAULT_FPMATH_MODE ?? 'strict').toLowerCase() !== 'strict';

export function activeBackend(): ActiveBackend {
  const name = tf.getBackend();
  return { ...(WITH_CHECKS[name] ?? HOST), ieeeFloat32MatMul: () => IEEE_FLOAT32_MATMUL.has(name) && !reducedFpmath() };
}
