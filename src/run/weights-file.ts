import type * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { VaelabError } from '../errors.js';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };

const count = (s: tf.io.WeightsManifestEntry) => s.shape.reduce((a, b) => a * b, 1);

/** Bytes a weight manifest says its files hold. */
function manifestBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((n, s) => n + count(s) * (BYTES[s.dtype] ?? 4), 0);
}

/**
 * A weights file, refused unless it holds exactly the bytes its manifest declares (a truncated copy, a torn
 * write) and every float in it is finite: a NaN weight (a diverged step saved, a flipped bit) decodes to
 * black images and NaN losses, which a report would show beside the run's old numbers as if they were its.
 */
export function readWeights(path: string, specs: readonly tf.io.WeightsManifestEntry[]): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new VaelabError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const expected = manifestBytes(specs);
  if (bytes.length !== expected) throw new VaelabError(`${path} is damaged: ${bytes.length} bytes, its manifest declares ${expected}`);
  checkFinite(path, bytes, specs);
  return bytes;
}

function checkFinite(path: string, bytes: Uint8Array, specs: readonly tf.io.WeightsManifestEntry[]): void {
  let offset = 0;
  for (const s of specs) {
    const n = count(s);
    if (s.dtype === 'float32') {
      // a copy: a tensor after a bool or uint8 one need not start on a 4-byte boundary
      const values = new Float32Array(bytes.slice(offset, offset + n * 4).buffer);
      const i = values.findIndex((v) => !Number.isFinite(v));
      if (i >= 0) {
        throw new VaelabError(`${path}: weight ${s.name} holds ${values[i]} at element ${i} of ${n}: the checkpoint is damaged or its training diverged, and cannot be reported, compared or resumed`);
      }
    }
    offset += n * (BYTES[s.dtype] ?? 4);
  }
}
