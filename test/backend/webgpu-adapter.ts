import { startWebgpu } from '../../src/backend/webgpu.js';
import { selectBackend } from '../../src/backend/select.js';

export type AdapterCheck = { skip: false; description: string } | { skip: true; why: string };

/**
 * Whether the webgpu tests can run here. They skip only where no Vulkan driver was set up (no
 * VK_ICD_FILENAMES: `eval "$(bash scripts/software-vulkan.sh)"` sets one, as .ci/run does), and say so;
 * with a driver set up, a failure to get an adapter is a failure of the tests, not a skip.
 */
export async function webgpuAdapter(): Promise<AdapterCheck> {
  const started = await startWebgpu(false);
  await selectBackend('cpu'); // the suites pick their own backends
  if (started.ok) return { skip: false, description: started.adapter.description };
  if (process.env.VK_ICD_FILENAMES !== undefined) return { skip: false, description: `none: ${started.reason}` };
  const why = `no Vulkan driver set up (VK_ICD_FILENAMES is unset; run: eval "$(bash scripts/software-vulkan.sh)"): ${started.reason}`;
  console.warn(`webgpu tests skipped: ${why}`);
  return { skip: true, why };
}
