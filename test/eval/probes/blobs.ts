import { createRng } from '../../../src/data/batches.js';
import type { LabelledSet } from '../../../src/eval/probes/labelled-set.js';

/** Seeded N(0, 1) draws (Box-Muller on mulberry32). */
export function normals(seed: number): () => number {
  const rng = createRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/**
 * n points around `classes` centres, point i in class i % classes: centre c is `spread` times the c-th
 * basis vector (so classes <= d), plus unit Gaussian noise. A large spread makes the classes separable.
 */
export function blobs(n: number, d: number, classes: number, spread: number, seed: number): LabelledSet {
  const z = normals(seed);
  const x = new Float32Array(n * d);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let j = 0; j < d; j++) x[i * d + j] = z() + (j === labels[i] ? spread : 0);
  }
  return { x, labels, n };
}

/** The same labels in a seeded random order (Fisher-Yates): features and labels become independent. */
export function shuffled(labels: ArrayLike<number>, seed: number): Int32Array {
  const rng = createRng(seed);
  const out = Int32Array.from(labels);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
