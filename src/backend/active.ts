import * as tf from '@tensorflow/tfjs';
import { assertDeviceHealthy, storageBindingLimit } from './webgpu.js';

/**
 * The backend that computes, as the code above src/backend sees it: its health and its limits, asked
 * through this one object so train, eval, models and report never name a backend. A backend with checks
 * of its own has a row here; the rest compute on the host and have nothing to check.
 */
export interface ActiveBackend {
  /** Throws a user error when the device rejected work since the last check: results computed since are invalid. */
  assertHealthy(what: string): void;
  /** The largest buffer, in bytes, one kernel may bind (Infinity where nothing binds). */
  bindingLimit(): number;
}

const HOST: ActiveBackend = { assertHealthy: () => {}, bindingLimit: () => Infinity };

// Keyed by tfjs's backend name: native runs on 'wasm', tensorflow-gpu on 'tensorflow'.
const WITH_CHECKS: Partial<Record<string, ActiveBackend>> = {
  webgpu: { assertHealthy: assertDeviceHealthy, bindingLimit: storageBindingLimit },
};

export function activeBackend(): ActiveBackend {
  return WITH_CHECKS[tf.getBackend()] ?? HOST;
}
