import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendRequest } from '../config/schema.js';
import { VaelabError } from '../errors.js';
import { whyNoCudaGpu } from './cuda.js';
import { registerKernelFixes } from './kernels/index.js';
import { installNativeKernels, removeNativeKernels } from './native/install.js';
import { startWebgpu, type AdapterInfo } from './webgpu.js';

export type BackendName = Exclude<BackendRequest, 'auto'>;

export interface BackendAttempt {
  name: string;
  ok: boolean;
  reason: string; // why it failed, or what was loaded
}

export interface BackendChoice {
  name: BackendName;
  attempts: BackendAttempt[]; // in the order tried, the chosen one last
  adapter?: AdapterInfo; // webgpu: the device it computes on
}

export type { AdapterInfo } from './webgpu.js';

// `declined` says why the backend obtained is not the one tried, when they differ.
type Outcome =
  | { ok: true; name: BackendName; tfName: string; reason: string; declined?: string; adapter?: AdapterInfo }
  | { ok: false; reason: string };

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
const CPU_PACKAGE = '@tensorflow/tfjs-node';
const AUTO_ORDER: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu'];

/**
 * Makes the requested backend tfjs's current one and installs our kernel fixes for it. 'auto' takes the
 * first of AUTO_ORDER that works (webgpu only on a hardware adapter) and records why the others did not;
 * a named backend that cannot load is a VaelabError. Safe to call again, with the same or another request.
 */
export async function selectBackend(
  requested: BackendRequest,
  log: (msg: string) => void = () => {},
): Promise<BackendChoice> {
  const attempts: BackendAttempt[] = [];
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  for (const name of order) {
    const outcome = await tryBackend(name, requested === 'auto');
    if (!outcome.ok) {
      attempts.push({ name, ok: false, reason: outcome.reason });
      continue;
    }
    if (outcome.declined !== undefined) attempts.push({ name, ok: false, reason: outcome.declined });
    attempts.push({ name: outcome.name, ok: true, reason: outcome.reason });
    // native installed the fixes beneath its own kernels already; any other choice runs without them
    if (outcome.name !== 'native') {
      removeNativeKernels();
      registerKernelFixes(outcome.tfName);
    }
    const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.name}: ${a.reason}`);
    log(`backend ${outcome.name} (${outcome.reason})${skipped.length > 0 ? `; not used: ${skipped.join('; ')}` : ''}`);
    return outcome.adapter === undefined ? { name: outcome.name, attempts } : { name: outcome.name, attempts, adapter: outcome.adapter };
  }
  const why = attempts.map((a) => `${a.name}: ${a.reason}`).join('; ');
  throw new VaelabError(`backend '${requested}' cannot be used: ${why}`);
}

async function tryBackend(name: BackendName, auto: boolean): Promise<Outcome> {
  switch (name) {
    case 'tensorflow-gpu':
      return tryTensorflowGpu();
    case 'tensorflow':
      return tryTensorflow();
    case 'native':
      return tryNative();
    case 'webgpu': {
      const webgpu = await startWebgpu(auto);
      return webgpu.ok ? { ok: true, name: 'webgpu', tfName: 'webgpu', reason: webgpu.reason, adapter: webgpu.adapter } : webgpu;
    }
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return (await tf.setBackend('cpu'))
        ? { ok: true, name: 'cpu', tfName: 'cpu', reason: 'plain JavaScript kernels' }
        : { ok: false, reason: "tfjs could not start its 'cpu' backend" };
  }
}

/** tfjs-node-gpu on a CUDA GPU only: without one it would compute on the CPU, which is 'tensorflow'. */
async function tryTensorflowGpu(): Promise<Outcome> {
  const loaded = await loadNodeBinding(GPU_PACKAGE);
  if (!loaded.ok) return loaded;
  if (loaded.gpu) return { ok: true, name: 'tensorflow-gpu', tfName: 'tensorflow', reason: `${GPU_PACKAGE} on a CUDA GPU` };
  return { ok: false, reason: `${GPU_PACKAGE} loaded, but TensorFlow sees no GPU: ${whyNoCudaGpu()}` };
}

/** The CPU package first, then the GPU package's libtensorflow (which runs on the CPU without a GPU). */
async function tryTensorflow(): Promise<Outcome> {
  const cpu = await loadNodeBinding(CPU_PACKAGE);
  if (cpu.ok) return { ok: true, name: 'tensorflow', tfName: 'tensorflow', reason: `libtensorflow through ${CPU_PACKAGE}` };
  const gpu = await loadNodeBinding(GPU_PACKAGE);
  if (!gpu.ok) return { ok: false, reason: `${cpu.reason}; ${gpu.reason}` };
  return gpu.gpu
    ? { ok: true, name: 'tensorflow-gpu', tfName: 'tensorflow', reason: `${GPU_PACKAGE} on a CUDA GPU`, declined: cpu.reason }
    : { ok: true, name: 'tensorflow', tfName: 'tensorflow', reason: `libtensorflow on the CPU through ${GPU_PACKAGE} (TensorFlow sees no GPU)` };
}

async function loadNodeBinding(pkg: string): Promise<{ ok: true; gpu: boolean } | { ok: false; reason: string }> {
  try {
    // A variable specifier: the packages are optional, so neither TypeScript nor a bundler may require them.
    const specifier: string = pkg;
    await import(specifier);
  } catch (err) {
    return { ok: false, reason: describeImportError(pkg, err) };
  }
  // The package registers 'tensorflow' on the tfjs it resolves; a second copy of tfjs would not see it.
  const backend: unknown = tf.findBackend('tensorflow');
  if (backend === null || backend === undefined) {
    return { ok: false, reason: `${pkg} loaded, but this @tensorflow/tfjs has no 'tensorflow' backend (two copies of tfjs?)` };
  }
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: `${pkg} loaded, but its backend failed to start` };
  const gpu = (backend as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true;
  return { ok: true, gpu };
}

function describeImportError(pkg: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  // Only the package itself missing counts as "not installed"; a broken native binding says why.
  const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  if (notFound && message.includes(`'${pkg}'`)) return `${pkg} is not installed`;
  return `${pkg} failed to load: ${message.split('\n')[0]}`;
}

/** wasm with the addon's oneDNN kernels in place of its heavy ones. */
async function tryNative(): Promise<Outcome> {
  if (process.env.VAELAB_NATIVE === 'off') return { ok: false, reason: 'switched off by VAELAB_NATIVE=off' };
  removeNativeKernels(); // so the fixes below wrap wasm's kernels, never native ones left from an earlier choice
  const wasm = await tryWasm();
  if (!wasm.ok) return wasm;
  registerKernelFixes('wasm'); // the fallbacks of the native kernels are the fixed wasm ones
  const native = installNativeKernels();
  if (!native.ok) return native;
  return { ok: true, name: 'native', tfName: 'wasm', reason: `${native.info.libraries} on ${native.info.threads} threads, denormals flushed to zero, on the wasm backend` };
}

async function tryWasm(): Promise<Outcome> {
  // Node reads the .wasm binaries from disk; pointing tfjs at the installed package needs no network.
  const dist = path.join(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const binary = path.join(dist, 'tfjs-backend-wasm-simd.wasm');
  if (!existsSync(binary)) return { ok: false, reason: `${binary} is missing` };
  try {
    setWasmPaths(`${dist}${path.sep}`);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (!(await tf.setBackend('wasm'))) return { ok: false, reason: `the wasm backend failed to start from ${dist}` };
  return { ok: true, name: 'wasm', tfName: 'wasm', reason: `WebAssembly (XNNPACK) from ${dist}` };
}
