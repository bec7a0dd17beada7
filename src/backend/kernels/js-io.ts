import * as tf from '@tensorflow/tfjs';

// Kernels written as JavaScript loops work on any backend through its generic read and write.

export function readFloats(backend: {}, info: tf.TensorInfo): Float32Array {
  const values = (backend as tf.KernelBackend).readSync(info.dataId);
  if (!(values instanceof Float32Array)) throw new Error(`expected float32 data, got ${info.dtype}`);
  return values;
}

export function writeFloats(backend: {}, values: Float32Array, shape: number[]): tf.TensorInfo {
  const dataId = (backend as tf.KernelBackend).write(values, shape, 'float32');
  return { dataId, shape, dtype: 'float32' };
}
