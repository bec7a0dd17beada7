import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CUDA_LIBRARIES, missingCudaLibraries, whyNoCudaGpu } from '../../src/backend/cuda.js';
import { librarySearchDirs } from '../../src/backend/libraries.js';
import { describeAdapter } from '../../src/backend/webgpu.js';
import { tempDir } from '../helpers/tiny.js';

describe('why tfjs-node-gpu found no GPU', () => {
  it('names the CUDA 11 and cuDNN 8 libraries missing from every search directory', () => {
    const a = tempDir();
    const b = tempDir();
    writeFileSync(join(a, 'libcudart.so.11.0'), '');
    writeFileSync(join(b, 'libcudnn.so.8'), '');
    writeFileSync(join(b, 'libcudart.so.12'), ''); // a CUDA 12 runtime is not the one libtensorflow 2.9 opens
    const missing = missingCudaLibraries([a, b]);
    expect(missing).toEqual(CUDA_LIBRARIES.filter((l) => l !== 'libcudart.so.11.0' && l !== 'libcudnn.so.8'));
    expect(whyNoCudaGpu([a, b])).toMatch(/^libcublas\.so\.11, .* not found \(tfjs-node-gpu 4\.x is built for CUDA 11\.2 and cuDNN 8\.1/);
  });

  it('blames the driver when every library is there', () => {
    const dir = tempDir();
    for (const lib of CUDA_LIBRARIES) writeFileSync(join(dir, lib), '');
    expect(missingCudaLibraries([dir])).toEqual([]);
    expect(whyNoCudaGpu([dir])).toMatch(/driver/);
  });

  it('searches LD_LIBRARY_PATH first', () => {
    const dir = join(tempDir(), 'cuda');
    mkdirSync(dir);
    expect(librarySearchDirs({ LD_LIBRARY_PATH: `${dir}::/nonexistent` }).slice(0, 2)).toEqual([dir, '/nonexistent']);
  });
});

describe('webgpu adapters', () => {
  it('tells software adapters from hardware ones', () => {
    const lavapipe = { info: { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25.0.7' } };
    const swiftshader = { info: { vendor: 'google', architecture: '', device: '', description: 'SwiftShader Device (Subzero)' } };
    const fallback = { info: { vendor: 'x', architecture: 'y', device: 'z', description: 'w', isFallbackAdapter: true } };
    const nvidia = { info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' } };
    const apple = { info: { vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2' } };
    expect([lavapipe, swiftshader, fallback].map((a) => describeAdapter(a).software)).toEqual([true, true, true]);
    expect([nvidia, apple].map((a) => describeAdapter(a).software)).toEqual([false, false]);
    expect(describeAdapter(nvidia)).toEqual({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', software: false });
  });
});
