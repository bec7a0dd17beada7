import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/data/batches.js';
import { embed } from '../../src/report/analysis/tsne-embedding.js';
import { gaussianClusters, neighbourAgreement, separation } from '../helpers/tsne-quality.js';

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

describe('embed (t-SNE)', () => {
  it('keeps well-separated clusters apart, reports progress, and yields while it works', async () => {
    const calls: [number, number][] = [];
    // A chain of immediates: one runs at every turn of the event loop, so each yield of embed lets one through.
    let ticks = 0;
    let ticker = setImmediate(function tick() {
      ticks++;
      ticker = setImmediate(tick);
    });
    let ticksAtLastProgress = 0;
    // 600 points of the same clusters: enough work (~1 s) that the loop must yield more than once.
    const big = gaussianClusters(600, DIM, 3, 8, 7);
    const y = await embed(big.points, big.n, DIM, {
      perplexity: 10,
      iterations: 1000,
      onProgress: (done, total) => {
        calls.push([done, total]);
        ticksAtLastProgress = ticks;
      },
    });
    clearImmediate(ticker);

    expect(y).toHaveLength(big.n * 2);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(neighbourAgreement(y, big.labels)).toBeGreaterThanOrEqual(0.95);
    expect(separation(y, big.labels)).toBeGreaterThan(3);

    expect(calls.length).toBeGreaterThan(2);
    expect(calls.at(-1)).toEqual([1000, 1000]);
    for (let k = 1; k < calls.length; k++) expect(calls[k]![0]).toBeGreaterThanOrEqual(calls[k - 1]![0]);
    expect(calls.every(([, total]) => total === 1000)).toBe(true);
    // Other callbacks ran before the last progress call, i.e. before embed returned: the loop gave way.
    expect(ticksAtLastProgress).toBeGreaterThan(0);
  });

  it('is deterministic with PCA initialisation and never touches Math.random', async () => {
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
    expect(neighbourAgreement(a, LABELS)).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects a perplexity that is not below n, and a points array of the wrong length', async () => {
    await expect(embed(POINTS.subarray(0, 10 * DIM), 10, DIM, { perplexity: 30 })).rejects.toThrow(RangeError);
    await expect(embed(POINTS, N + 1, DIM)).rejects.toThrow(RangeError);
    expect(await embed(new Float32Array(0), 0, DIM)).toHaveLength(0);
  });
});
