import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isFixed } from '../../src/backend/kernels/index.js';
import { selectBackend } from '../../src/backend/select.js';
import { notBuiltReason } from '../../src/backend/native/addon.js';
import { VaelabError } from '../../src/errors.js';

describe('selectBackend', () => {
  it('selects wasm and installs its kernel fixes, twice without complaint', async () => {
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      for (let i = 0; i < 2; i++) {
        const choice = await selectBackend('wasm');
        expect(choice).toEqual({ name: 'wasm', attempts: [{ name: 'wasm', ok: true, reason: expect.any(String) }] });
        expect(tf.getBackend()).toBe('wasm');
      }
    } finally {
      console.warn = warn;
    }
    expect(warnings.filter((w) => w.includes('already registered'))).toEqual([]);
    for (const kernel of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad']) {
      expect(isFixed(kernel, 'wasm'), kernel).toBe(true);
    }
    expect(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([2, 3]), true).dataSync()[0])).toBe(2);
  });

  it('selects cpu and fixes its ResizeNearestNeighborGrad', async () => {
    const logs: string[] = [];
    const choice = await selectBackend('cpu', (m) => logs.push(m));
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(isFixed('ResizeNearestNeighborGrad', 'cpu')).toBe(true);
    expect(logs).toEqual([expect.stringMatching(/^backend cpu/)]);
  });

  it("'auto' ends at native here (wasm with native off) and says why the TensorFlow backends were skipped", async () => {
    const logs: string[] = [];
    const choice = await selectBackend('auto', (m) => logs.push(m));
    expect(choice.name).toBe('native');
    expect(choice.attempts.map((a) => [a.name, a.ok])).toEqual([
      ['tensorflow-gpu', false],
      ['webgpu', false],
      ['tensorflow', false],
      ['native', true],
    ]);
    expect(choice.attempts[0]?.reason).toContain('@tensorflow/tfjs-node-gpu');
    // no GPU here: no adapter at all, or only scripts/software-vulkan.sh's software one, which auto passes on
    expect(choice.attempts[1]?.reason).toMatch(/no Vulkan, Metal or D3D12 adapter|no Vulkan loader \(libvulkan\.so\.1\)|the only adapter is .*software adapter.*ask for backend: webgpu by name/);
    expect(choice.attempts[2]?.reason).toContain('@tensorflow/tfjs-node');
    expect(logs[0]).toMatch(/backend native .*not used: tensorflow-gpu: .*webgpu: .*tensorflow: /);
    process.env.VAELAB_NATIVE = 'off';
    try {
      const off = await selectBackend('auto');
      expect(off.name).toBe('wasm');
      expect(off.attempts.find((a) => a.name === 'native')?.reason).toBe('switched off by VAELAB_NATIVE=off');
    } finally {
      delete process.env.VAELAB_NATIVE;
    }
  });

  it('says the command that builds the addon: npm install where npm dropped the package, npm rebuild where only its build is missing', () => {
    // what require() says in a fresh clone whose npm install had no oneDNN (npm removes the failed optional package)
    const dropped = notBuiltReason("Cannot find module 'vaelab-native'\nRequire stack:\n- /x/src/backend/native/addon.ts");
    expect(dropped).toBe("the native addon is not built (Cannot find module 'vaelab-native'); to build it: apt-get install libdnnl-dev && npm install");
    // and where the package is linked but its compiled file is not there
    const unbuilt = notBuiltReason("Cannot find module './build/Release/vaelab_native.node'\nRequire stack:\n- /x/native/index.cjs");
    expect(unbuilt).toMatch(/to build it: apt-get install libdnnl-dev && npm rebuild vaelab-native$/);
  });

  it("'tensorflow' throws a VaelabError that names the backend and the reason", async () => {
    const before = tf.getBackend();
    const error = await selectBackend('tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaelabError);
    expect((error as Error).message).toMatch(/backend 'tensorflow' cannot be used: .*@tensorflow\/tfjs-node is not installed/);
    expect(tf.getBackend()).toBe(before);
  });

  it("'tensorflow-gpu' throws too", async () => {
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow(/tensorflow-gpu.*@tensorflow\/tfjs-node-gpu/);
  });
});
