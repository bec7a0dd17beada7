import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';

// tfjs-node-gpu cannot be installed here. This stands in for it: on import it registers 'tensorflow',
// whose isUsingGpuDevice says whether libtensorflow found a GPU (false without CUDA 11.2).
const device = vi.hoisted(() => ({ gpu: false }));
vi.mock('@tensorflow/tfjs-node-gpu', () => {
  class NodeBinding extends tf.KernelBackend {
    get isUsingGpuDevice(): boolean {
      return device.gpu;
    }
  }
  tf.registerBackend('tensorflow', () => new NodeBinding(), 3);
  return {};
});

describe('selectBackend with tfjs-node-gpu that sees no GPU', () => {
  beforeEach(() => {
    device.gpu = false;
  });

  it("'auto' moves on, naming the CUDA libraries TensorFlow lacks, and ends at its CPU libtensorflow after webgpu", async () => {
    const logs: string[] = [];
    const choice = await selectBackend('auto', (m) => logs.push(m));
    expect(choice.name).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(choice.attempts).toEqual([
      { name: 'tensorflow-gpu', ok: false, reason: expect.stringMatching(/sees no GPU: libcudart\.so\.11\.0.* not found .*CUDA 11\.2/) },
      // no GPU here: Dawn finds no adapter, or only the software one of scripts/software-vulkan.sh
      { name: 'webgpu', ok: false, reason: expect.stringMatching(/no Vulkan, Metal or D3D12 adapter|no Vulkan loader \(libvulkan\.so\.1\)|software adapter/) },
      { name: 'tensorflow', ok: true, reason: expect.stringMatching(/CPU through @tensorflow\/tfjs-node-gpu/) },
    ]);
    expect(logs[0]).toMatch(/^backend tensorflow .*not used: tensorflow-gpu: .*libcudart/);
  });

  it("'tensorflow-gpu' by name is refused", async () => {
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow(/tensorflow-gpu.*sees no GPU: libcudart\.so\.11\.0.*CUDA 11\.2/);
  });

  it("'tensorflow' by name accepts the GPU package's CPU libtensorflow", async () => {
    const choice = await selectBackend('tensorflow');
    expect(choice.name).toBe('tensorflow');
    expect(choice.attempts).toEqual([{ name: 'tensorflow', ok: true, reason: expect.stringContaining('tfjs-node-gpu') }]);
  });
});

describe('selectBackend with tfjs-node-gpu on a GPU', () => {
  beforeEach(() => {
    device.gpu = true;
  });

  it("'auto' takes it first", async () => {
    const choice = await selectBackend('auto');
    expect(choice).toEqual({ name: 'tensorflow-gpu', attempts: [{ name: 'tensorflow-gpu', ok: true, reason: expect.any(String) }] });
  });

  it("'tensorflow' by name reports the GPU it got", async () => {
    const choice = await selectBackend('tensorflow');
    expect(choice.name).toBe('tensorflow-gpu');
    expect(choice.attempts).toEqual([
      { name: 'tensorflow', ok: false, reason: '@tensorflow/tfjs-node is not installed' },
      { name: 'tensorflow-gpu', ok: true, reason: expect.stringContaining('CUDA GPU') },
    ]);
  });
});
