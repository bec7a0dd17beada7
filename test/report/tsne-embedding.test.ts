import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/data/batches.js';
import { embed } from '../../src/report/analysis/tsne-embedding.js';

// 60 points in 3 clusters of 20 in 10-D: unit Gaussian noise around centres 8 apart on separate axes,
// far more than the within-cluster spread.
const N = 60;
const DIM = 10;
const rng = createRng(7);
const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const LABELS = Array.from({ length: N }, (_, i) => i % 3);
const POINTS = Float32Array.from({ length: N * DIM }, (_, k) => {
  const i = Math.floor(k / DIM);
  const d = k % DIM;
  return (d === LABELS[i]! * 3 ? 8 : 0) + normal();
});

/** Share of points whose nearest other point in the embedding has the same label. */
function neighbourAgreement(y: Float32Array): number {
  let agree = 0;
  for (let i = 0; i < N; i++) {
    let best = -1;
    let bestDistance = Infinity;
    for (let j = 0; j < N; j++) {
      const distance = j === i ? Infinity : (y[2 * i]! - y[2 * j]!) ** 2 + (y[2 * i + 1]! - y[2 * j + 1]!) ** 2;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = j;
      }
    }
    if (LABELS[best] === LABELS[i]) agree++;
  }
  return agree / N;
}

/** Smallest distance between cluster centroids over the largest mean distance of points to their centroid. */
function separation(y: Float32Array): number {
  const centroids = [0, 1, 2].map((c) => {
    const rows = LABELS.flatMap((l, i) => (l === c ? [i] : []));
    return [0, 1].map((a) => rows.reduce((s, i) => s + y[2 * i + a]!, 0) / rows.length) as [number, number];
  });
  const spread = Math.max(
    ...[0, 1, 2].map((c) => {
      const rows = LABELS.flatMap((l, i) => (l === c ? [i] : []));
      return rows.reduce((s, i) => s + Math.hypot(y[2 * i]! - centroids[c]![0], y[2 * i + 1]! - centroids[c]![1]), 0) / rows.length;
    }),
  );
  const pairs: [number, number][] = [[0, 1], [0, 2], [1, 2]];
  const gaps = pairs.map(([a, b]) => Math.hypot(centroids[a]![0] - centroids[b]![0], centroids[a]![1] - centroids[b]![1]));
  return Math.min(...gaps) / spread;
}

describe('embed (t-SNE)', () => {
  it('keeps well-separated clusters apart, reports progress, and yields while it works', async () => {
    const calls: [number, number][] = [];
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    let ticksAtLastProgress = 0;
    const started = performance.now();
    const y = await embed(POINTS, N, DIM, {
      perplexity: 10,
      iterations: 1000,
      onProgress: (done, total) => {
        calls.push([done, total]);
        ticksAtLastProgress = ticks;
      },
    });
    clearInterval(ticker);
    const seconds = (performance.now() - started) / 1000;

    expect(y).toHaveLength(N * 2);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(neighbourAgreement(y)).toBeGreaterThanOrEqual(0.95);
    expect(separation(y)).toBeGreaterThan(3);

    expect(calls.length).toBeGreaterThan(1);
    expect(calls.at(-1)).toEqual([1000, 1000]);
    for (let k = 1; k < calls.length; k++) expect(calls[k]![0]).toBeGreaterThanOrEqual(calls[k - 1]![0]);
    expect(calls.every(([, total]) => total === 1000)).toBe(true);
    // Timers ran before the last progress call, i.e. before embed returned: the loop gave way.
    expect(ticksAtLastProgress).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(20); // ~1 s here; a loose bound against a pathological slowdown
  });

  it('is deterministic with PCA initialisation and leaves Math.random alone', async () => {
    const original = Math.random;
    let patchedDuringProgress = false;
    const a = await embed(POINTS, N, DIM, {
      perplexity: 10,
      iterations: 300,
      onProgress: () => {
        patchedDuringProgress ||= Math.random !== original;
      },
    });
    const b = await embed(POINTS, N, DIM, { perplexity: 10, iterations: 300, seed: 99 });
    expect(Math.random).toBe(original);
    expect(patchedDuringProgress).toBe(false);
    expect(b).toEqual(a); // PCA initialisation does not depend on the seed
  });

  it('random initialisation: same seed, same embedding; another seed, another one', async () => {
    const run = (seed: number): Promise<Float32Array> => embed(POINTS, N, DIM, { perplexity: 10, iterations: 300, init: 'random', seed });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(neighbourAgreement(a)).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects a perplexity that is not below n, and a points array of the wrong length', async () => {
    await expect(embed(POINTS.subarray(0, 10 * DIM), 10, DIM, { perplexity: 30 })).rejects.toThrow(RangeError);
    await expect(embed(POINTS, N + 1, DIM)).rejects.toThrow(RangeError);
    expect(await embed(new Float32Array(0), 0, DIM)).toHaveLength(0);
  });
});
