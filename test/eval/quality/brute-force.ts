import { createRng } from '../../../src/data/batches.js';

/** Standard normal draws (Box-Muller on the seeded mulberry32 of src/data). */
export function normals(seed: number): () => number {
  const rng = createRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** The paper's definition, pair by pair: O(n^2) direct sums of squared differences, sorted neighbours. */
export function bruteForce(real: Float32Array, fake: Float32Array, nReal: number, nFake: number, d: number, k: number): { precision: number; recall: number } {
  const dist = (x: Float32Array, i: number, y: Float32Array, j: number) => {
    let sum = 0;
    for (let t = 0; t < d; t++) sum += (x[i * d + t]! - y[j * d + t]!) ** 2;
    return sum;
  };
  const radii = (x: Float32Array, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
      return others.map((j) => dist(x, i, x, j)).sort((p, q) => p - q)[k - 1]!;
    });
  const realRadius = radii(real, nReal);
  const fakeRadius = radii(fake, nFake);
  let inReal = 0;
  for (let j = 0; j < nFake; j++) if (realRadius.some((r, i) => dist(fake, j, real, i) <= r)) inReal++;
  let inFake = 0;
  for (let i = 0; i < nReal; i++) if (fakeRadius.some((r, j) => dist(real, i, fake, j) <= r)) inFake++;
  return { precision: inReal / nFake, recall: inFake / nReal };
}

/** n points of d dims: a Gaussian per point around one of the given centres (chosen in turn), scaled by spread. */
export function cloud(n: number, d: number, centres: number[][], spread: number, seed: number): Float32Array {
  const next = normals(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) out[i * d + t] = centres[i % centres.length]![t]! + spread * next();
  return out;
}
