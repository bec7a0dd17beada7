import { describe, expect, it } from 'vitest';
import { embed } from '../../src/report/analysis/tsne-embedding.js';
import { embedExact, exactKl } from '../helpers/exact-tsne.js';
import { gaussianClusters, neighbourAgreement, separation, trustworthiness, type Cloud } from '../helpers/tsne-quality.js';

// 150 points: three clusters 8 apart on separate axes in 10-D (far more than their unit spread), and one
// structureless Gaussian blob, where t-SNE has only local neighbourhoods to keep.
const CLUSTERS = gaussianClusters(150, 10, 3, 8, 7);
const BLOB = gaussianClusters(150, 10, 1, 0, 11);
const PERPLEXITY = 30;

describe('Barnes-Hut t-SNE against the exact tsne-js oracle', () => {
  const clouds: Record<string, Cloud> = { 'three clusters': CLUSTERS, 'a Gaussian blob': BLOB };
  it.each(Object.keys(clouds))('%s: trustworthiness within 0.02, exact KL(P || Q) within 10%%', async (name) => {
    const { points, n, dim } = clouds[name]!;
    const options = { perplexity: PERPLEXITY, iterations: 1000 };
    const fast = await embed(points, n, dim, options);
    const exact = await embedExact(points, n, dim, options);
    const trust = { fast: trustworthiness(points, fast, n, dim, 10), exact: trustworthiness(points, exact, n, dim, 10) };
    const kl = { fast: exactKl(points, n, dim, fast, PERPLEXITY), exact: exactKl(points, n, dim, exact, PERPLEXITY) };
    expect(trust.exact).toBeGreaterThan(0.8); // the oracle itself did its job
    expect(Math.abs(trust.fast - trust.exact)).toBeLessThanOrEqual(0.02);
    expect(kl.exact).toBeGreaterThan(0);
    expect(Math.abs(kl.fast - kl.exact) / kl.exact).toBeLessThanOrEqual(0.1);
  });

  it('a random initialisation still ends near the PCA-initialised KL', async () => {
    const { points, n, dim } = CLUSTERS;
    const pca = await embed(points, n, dim, { perplexity: PERPLEXITY, iterations: 1000 });
    const random = await embed(points, n, dim, { perplexity: PERPLEXITY, iterations: 1000, init: 'random', seed: 5 });
    const [a, b] = [exactKl(points, n, dim, pca, PERPLEXITY), exactKl(points, n, dim, random, PERPLEXITY)];
    expect(Math.abs(a - b) / a).toBeLessThan(0.15);
  });
});

describe('Barnes-Hut t-SNE', () => {
  it('is bit-for-bit deterministic for a given input and seed', async () => {
    const { points, n, dim } = BLOB;
    for (const init of ['pca', 'random'] as const) {
      const a = await embed(points, n, dim, { perplexity: 20, iterations: 300, init, seed: 3 });
      const b = await embed(points, n, dim, { perplexity: 20, iterations: 300, init, seed: 3 });
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    }
    const other = await embed(points, n, dim, { perplexity: 20, iterations: 300, init: 'random', seed: 4 });
    const first = await embed(points, n, dim, { perplexity: 20, iterations: 300, init: 'random', seed: 3 });
    expect(other).not.toEqual(first);
  });

  it('gives the same embedding, bit for bit, on one thread or two (a helper thread takes half of each gradient)', async () => {
    const { points, n, dim } = gaussianClusters(600, 10, 3, 8, 21);
    const options = { perplexity: 20, iterations: 300 };
    const one = await embed(points, n, dim, { ...options, threads: 1 });
    const two = await embed(points, n, dim, { ...options, threads: 2 });
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    expect(trustworthiness(points, two, n, dim, 10)).toBeGreaterThan(0.9);
    await expect(embed(points, n, dim, { ...options, threads: 0 })).rejects.toThrow(RangeError);
  });

  it('embeds 2,000 points of five clusters at the defaults and keeps the clusters apart', async () => {
    const { points, labels, n, dim } = gaussianClusters(2000, 10, 5, 8, 13);
    let calls = 0;
    const y = await embed(points, n, dim, { onProgress: () => calls++ });
    expect(y).toHaveLength(2 * n);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(calls).toBeGreaterThan(1);
    expect(neighbourAgreement(y, labels)).toBeGreaterThanOrEqual(0.99);
    expect(separation(y, labels)).toBeGreaterThan(3);
  });

  it('survives duplicate points (a quadtree leaf holding several)', async () => {
    const { points, n, dim } = CLUSTERS;
    const doubled = new Float32Array(2 * n * dim);
    doubled.set(points);
    doubled.set(points, n * dim);
    const y = await embed(doubled, 2 * n, dim, { perplexity: 20, iterations: 300 });
    expect(y.every(Number.isFinite)).toBe(true);
    // A point and its copy have the same neighbours, so they land closer together than cluster mates do.
    const distance = (a: number, b: number): number => Math.hypot(y[2 * a]! - y[2 * b]!, y[2 * a + 1]! - y[2 * b + 1]!);
    const mean = (f: (i: number) => number): number => Array.from({ length: n }, (_, i) => f(i)).reduce((s, d) => s + d, 0) / n;
    expect(mean((i) => distance(i, i + n))).toBeLessThan(0.5 * mean((i) => distance(i, (i + 3) % n)));
  });
});
