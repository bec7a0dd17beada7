import { makeBatchMatMul } from './batch-mat-mul.js';
import { makeIdentity } from './identity.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { makeConv2dBackpropInput } from './conv2d-backprop-input.js';
import { fusedBatchNormGradConfig } from './fused-batch-norm-grad.js';
import { maxPoolGrad } from './max-pool-grad.js';
import { replaceGradient, replaceKernel } from './register.js';
import { reluGradConfig } from './relu-grad.js';
import { resizeNearestNeighborGrad } from './resize-nearest-neighbor-grad.js';

/**
 * Registers our kernel fixes for one backend (tfjs 4.22); calling it again is a no-op. The batchNorm
 * and ReLU gradients are global in tfjs and backend-neutral, so they are installed whatever the backend.
 */
export function registerKernelFixes(backend: string): void {
  replaceGradient(fusedBatchNormGradConfig);
  replaceGradient(reluGradConfig);
  if (backend === 'wasm') {
    replaceKernel('Conv2DBackpropFilter', 'wasm', () => conv2dBackpropFilter);
    replaceKernel('Conv2DBackpropInput', 'wasm', makeConv2dBackpropInput);
    replaceKernel('BatchMatMul', 'wasm', makeBatchMatMul);
    replaceKernel('Identity', 'wasm', makeIdentity);
    replaceKernel('MaxPoolGrad', 'wasm', () => maxPoolGrad);
    // wasm's is right for the decoder's upsampling but ignores halfPixelCenters.
    replaceKernel('ResizeNearestNeighborGrad', 'wasm', () => resizeNearestNeighborGrad);
  } else if (backend === 'cpu') {
    replaceKernel('ResizeNearestNeighborGrad', 'cpu', () => resizeNearestNeighborGrad);
  }
}

export { isFixed, originalGradient, originalKernel, restoreStockKernels } from './register.js';
