import { hasLibrary, librarySearchDirs } from './libraries.js';

/**
 * The shared libraries libtensorflow 2.9 (inside tfjs-node-gpu 4.x) opens for its GPU device, by the
 * sonames it asks for: CUDA 11.x and cuDNN 8. A CUDA 12 machine has libcudart.so.12 and none of these.
 */
export const CUDA_LIBRARIES = [
  'libcudart.so.11.0',
  'libcublas.so.11',
  'libcublasLt.so.11',
  'libcufft.so.10',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.11',
  'libcudnn.so.8',
] as const;

/** The CUDA/cuDNN sonames found in none of `dirs`. */
export function missingCudaLibraries(dirs: readonly string[]): string[] {
  return CUDA_LIBRARIES.filter((lib) => !hasLibrary(lib, dirs));
}

/** One line on why TensorFlow found no GPU: the libraries it lacks, or, when it has them all, the driver. */
export function whyNoCudaGpu(dirs: readonly string[] = librarySearchDirs()): string {
  const missing = missingCudaLibraries(dirs);
  if (missing.length > 0) {
    return `${missing.join(', ')} not found (tfjs-node-gpu 4.x is built for CUDA 11.2 and cuDNN 8.1; on CUDA 12 use backend webgpu)`;
  }
  return 'the CUDA 11 and cuDNN 8 libraries are present, so the NVIDIA driver or device is what TensorFlow lacks (check nvidia-smi)';
}
