import { createRng } from '../data/batches.js';

/**
 * Which examples a figure shows. Picks depend only on the data's order and a fixed seed, never on the
 * run's seed, so two runs on the same data show the same digits and compare side by side.
 */
export const PICK_SEED = 20240917;

/** Index of the first example of each class, in class order; -1 where a class is absent. */
export function firstOfEachClass(labels: Uint8Array, numClasses: number): number[] {
  const first = Array.from({ length: numClasses }, () => -1);
  labels.forEach((label, i) => {
    if (label < numClasses && first[label] === -1) first[label] = i;
  });
  return first;
}

/** The k-th example of class `label` (0-based), or -1. */
export function nthOfClass(labels: Uint8Array, label: number, k: number): number {
  let seen = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === label && seen++ === k) return i;
  }
  return -1;
}

/** n distinct indices in 0..count-1, seeded, in increasing order (all of them when n >= count). */
export function seededSubset(count: number, n: number, seed = PICK_SEED): number[] {
  if (n >= count) return Array.from({ length: count }, (_, i) => i);
  const rng = createRng(seed);
  const chosen = new Set<number>();
  // Floyd's algorithm: n draws, no rejection loop, uniform over n-subsets.
  for (let j = count - n; j < count; j++) {
    const t = Math.floor(rng() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Rows `indices` of a row-major [count, width] array, packed. */
export function gatherRows<T extends Float32Array | Uint8Array>(data: T, width: number, indices: readonly number[]): T {
  const out = new (data.constructor as new (n: number) => T)(indices.length * width);
  indices.forEach((idx, k) => out.set(data.subarray(idx * width, (idx + 1) * width), k * width));
  return out;
}

/** n independent N(0, 1) draws, seeded (Box-Muller on mulberry32), identical on every backend. */
export function standardNormals(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng(); // in (0, 1]: log(u) is finite
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
