import * as tf from '@tensorflow/tfjs';
import { VaelabError } from '../errors.js';
import { hasLibrary } from './libraries.js';

/** What Dawn says of the adapter the webgpu backend computes on (GPUAdapterInfo), as run.json records it. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean; // a CPU rasteriser (lavapipe, SwiftShader, WARP): slower than our CPU backends
}

export type WebgpuOutcome = { ok: true; adapter: AdapterInfo; reason: string } | { ok: false; reason: string };

const PACKAGE = 'webgpu';
const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|warp|basic render/i;

// The little of the WebGPU API used here (the full types are @webgpu/types, a browser's global scope).
interface RawAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
export interface Adapter {
  info?: RawAdapterInfo;
  isFallbackAdapter?: boolean;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<Adapter | null>;
}
interface DawnModule {
  create(options: string[]): Gpu;
  globals: Record<string, unknown>;
}

let dawn: Gpu | undefined;

/**
 * Starts tfjs's webgpu backend on Dawn (the `webgpu` package) and makes it the current one. Asked for by
 * name (`requireHardware` false) any adapter will do; `auto` passes on a software adapter, which trains
 * slower than the CPU backends, and says so.
 */
export async function startWebgpu(requireHardware: boolean): Promise<WebgpuOutcome> {
  // Without the Vulkan loader Dawn has nothing to open on Linux, and says so on stderr in every run.
  if (process.platform === 'linux' && !hasLibrary('libvulkan.so.1')) return { ok: false, reason: NO_VULKAN };
  const gpu = await loadDawn();
  if (typeof gpu === 'string') return { ok: false, reason: gpu };
  let adapter: Adapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { ok: false, reason: `Dawn could not enumerate adapters: ${message(err)}` };
  }
  if (adapter === null) return { ok: false, reason: NO_ADAPTER };
  const info = describeAdapter(adapter);
  const named = `${info.description || info.device || info.vendor} (${info.software ? 'software' : 'hardware'} adapter)`;
  if (requireHardware && info.software) {
    return { ok: false, reason: `the only adapter is ${named}, slower than the CPU backends; ask for backend: webgpu by name to use it` };
  }
  try {
    // The package registers 'webgpu' on import, at a priority above wasm: import it only when asked for.
    const specifier: string = '@tensorflow/tfjs-backend-webgpu';
    await import(specifier);
  } catch (err) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-webgpu failed to load: ${message(err)}` };
  }
  if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: `tfjs's webgpu backend failed to start on ${named}` };
  watchDevice();
  return { ok: true, adapter: info, reason: `WebGPU on Dawn, ${named}` };
}

const NO_VULKAN =
  'no Vulkan loader (libvulkan.so.1) here: install libvulkan1 and the GPU\'s Vulkan driver (README, "GPU: webgpu"); ' +
  'without a GPU, `eval "$(bash scripts/software-vulkan.sh)"` sets up a software one';
const NO_ADAPTER =
  'Dawn found no Vulkan, Metal or D3D12 adapter (a GPU driver with Vulkan; without a GPU, ' +
  '`eval "$(bash scripts/software-vulkan.sh)"` sets up a software one)';

async function loadDawn(): Promise<Gpu | string> {
  if (dawn !== undefined) return dawn;
  let mod: DawnModule;
  try {
    // A variable specifier: the package is optional, so neither TypeScript nor a bundler may require it.
    const specifier: string = PACKAGE;
    mod = (await import(specifier)) as DawnModule;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message(err).includes(`'${PACKAGE}'`)) {
      return `the ${PACKAGE} package (Dawn for Node) is not installed`;
    }
    return `the ${PACKAGE} package failed to load: ${message(err)}`;
  }
  // tfjs's webgpu backend reads navigator.gpu and the GPUBufferUsage-style constants from the global scope,
  // as in a browser; Node 20 has no navigator at all.
  for (const [key, value] of Object.entries(mod.globals)) {
    if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
  }
  const gpu = mod.create([]);
  const scope = globalThis as { navigator?: object };
  if (scope.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(scope.navigator!, 'gpu', { value: gpu, configurable: true });
  dawn = gpu;
  return gpu;
}

/** GPUAdapterInfo as recorded, and whether the adapter is a CPU rasteriser (by its fallback flag, or by name). */
export function describeAdapter(adapter: Adapter): AdapterInfo {
  const raw = adapter.info;
  const vendor = raw?.vendor ?? '';
  const architecture = raw?.architecture ?? '';
  const device = raw?.device ?? '';
  const description = raw?.description ?? '';
  const fallback = raw?.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  const software = fallback || SOFTWARE.test(`${architecture} ${device} ${description}`);
  return { vendor, architecture, device, description, software };
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * The largest buffer, in bytes, one webgpu kernel may bind (the device's maxStorageBufferBindingSize:
 * 128 MiB on lavapipe, the WebGPU minimum); Infinity on every other backend. A larger tensor makes Dawn
 * reject the kernel's bind group, and tfjs then reads back garbage rather than failing.
 */
export function storageBindingLimit(): number {
  if (tf.getBackend() !== 'webgpu') return Infinity;
  const device = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device;
  return device?.limits?.maxStorageBufferBindingSize ?? 134_217_728;
}

let deviceError: string | null = null;
const watched = new WeakSet<object>();

/** Keeps the first error Dawn reports: a rejected kernel leaves its output unwritten, and tfjs reads it anyway. */
function watchDevice(): void {
  const device = (tf.backend() as unknown as { device?: { addEventListener?(type: string, f: (e: { error?: { message?: string } }) => void): void } }).device;
  if (device?.addEventListener === undefined || watched.has(device)) return;
  watched.add(device);
  device.addEventListener('uncapturederror', (e) => {
    deviceError ??= (e.error?.message ?? 'unknown error').split('\n')[0]!;
  });
}

/**
 * Throws if the webgpu device rejected work since the backend started, so a run fails with the reason
 * instead of recording numbers computed from unwritten buffers. A no-op on every other backend.
 */
export function assertDeviceHealthy(what: string): void {
  if (deviceError === null || tf.getBackend() !== 'webgpu') return;
  const error = deviceError;
  deviceError = null;
  throw new VaelabError(
    `${what}: the webgpu device rejected a kernel (${error}); its results are invalid. ` +
      'A tensor larger than the device binds (maxStorageBufferBindingSize) is the usual cause: lower train.batchSize, or use another backend',
  );
}
