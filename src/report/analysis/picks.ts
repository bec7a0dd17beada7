import { createRng } from '../../data/batches.js';

/**
 * Which examples a figure shows. Picks depend only on the data's order and a fixed seed, never on the
 * run's seed, so two runs on the same data show the same digits and compare side by side.
 */
const PICK_SEED = 20240917;

/** Index of the first example of each class, in class order; -1 where a class is absent. */
export function firstOfEachClass(labels: Uint8Array, numClasses: number): number[] {
  const first = Array.from({ length: numClasses }, () => -1);
  labels.forEach((label, i) => {
    if (label < numClasses && first[label] === -1) first[label] = i;
  });
  return first;
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

export interface ReconstructionPicks {
  first: { idx: number; label: number }[]; // the first test example of each class present, in class order
  extra: number[]; // up to `extra` more, seeded, from the first `pickFrom` images, none of them in `first`
  pool: number; // how many images the extra ones were drawn from
}

/** The test digits a reconstruction figure shows: the run report and the comparison show the same ones. */
export function reconstructionPicks(labels: Uint8Array, numClasses: number, extra: number, pickFrom: number): ReconstructionPicks {
  const first = firstOfEachClass(labels, numClasses).flatMap((idx, label) => (idx < 0 ? [] : [{ idx, label }]));
  const taken = new Set(first.map((p) => p.idx));
  const pool = Math.min(labels.length, pickFrom);
  const picked = seededSubset(pool, Math.min(pool, extra + taken.size)).filter((i) => !taken.has(i)).slice(0, extra);
  return { first, extra: picked, pool };
}

/** Rows `indices` of a row-major [count, width] array, packed. */
export function gatherRows<T extends Float32Array | Uint8Array>(data: T, width: number, indices: readonly number[]): T {
  const out = new (data.constructor as new (n: number) => T)(indices.length * width);
  indices.forEach((idx, k) => out.set(data.subarray(idx * width, (idx + 1) * width), k * width));
  return out;
}

/** Column j of a row-major [n, dim] array. */
export function column(data: Float32Array, dim: number, j: number): Float32Array {
  return Float32Array.from({ length: data.length / dim }, (_, i) => data[i * dim + j] ?? 0);
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
