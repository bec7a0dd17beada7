import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/data/batches.js';
import { clusterAccuracy, hungarian, kmeans, nmi } from '../../../src/eval/probes/kmeans.js';
import { blobs } from './blobs.js';

function permutations(items: number[]): number[][] {
  if (items.length === 0) return [[]];
  return items.flatMap((v, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [v, ...rest]));
}

/** Least total cost over every injective map from the smaller side to the larger, by enumeration. */
function bruteForceCost(cost: Float64Array, rows: number, cols: number): number {
  const at = (r: number, c: number) => (rows <= cols ? cost[r * cols + c]! : cost[c * cols + r]!);
  const [small, large] = rows <= cols ? [rows, cols] : [cols, rows];
  let best = Infinity;
  for (const perm of permutations([...Array(large).keys()])) {
    let total = 0;
    for (let r = 0; r < small; r++) total += at(r, perm[r]!);
    best = Math.min(best, total);
  }
  return best;
}

function totalCost(match: Int32Array, cost: Float64Array, cols: number): number {
  let total = 0;
  match.forEach((c, r) => (total += c === -1 ? 0 : cost[r * cols + c]!));
  return total;
}

describe('the Hungarian algorithm', () => {
  it.each([
    [5, 5],
    [4, 6],
    [6, 4],
  ])('finds the least-cost assignment of a random %i x %i matrix, as brute force does', (rows, cols) => {
    const rng = createRng(rows * 10 + cols);
    for (let trial = 0; trial < 20; trial++) {
      // integer costs make ties common, which is where a wrong potential update shows
      const cost = Float64Array.from({ length: rows * cols }, () => Math.floor(rng() * 10) - 3);
      const match = hungarian(cost, rows, cols);
      const used = [...match].filter((c) => c !== -1);
      expect(used.length).toBe(Math.min(rows, cols));
      expect(new Set(used).size).toBe(used.length); // one-to-one
      expect(totalCost(match, cost, cols)).toBe(bruteForceCost(cost, rows, cols));
    }
  });

  it('rejects a cost matrix of the wrong size or with non-finite costs', () => {
    expect(() => hungarian(new Float64Array(5), 2, 3)).toThrow(/expected a 2 x 3 cost matrix of 6 values, found 5/);
    expect(() => hungarian(Float64Array.of(0, Infinity), 1, 2)).toThrow(RangeError);
  });
});

describe('normalized mutual information', () => {
  it('matches hand-computed values', () => {
    // U = {0,0,0,1,1,1}, V = {0,0,1,1,2,2}: I = (1/3) ln 2 + (1/3) ln 2, H(U) = ln 2, H(V) = ln 3;
    // against {0,1,0,1,0,1} the table is [[2,1],[1,2]]: I = (2/3) ln(4/3) + (1/3) ln(2/3), both H = ln 2
    const u = Int32Array.of(0, 0, 0, 1, 1, 1);
    const v = Int32Array.of(0, 0, 1, 1, 2, 2);
    expect(nmi(u, v, 2, 3)).toBeCloseTo(((2 / 3) * Math.log(2)) / ((Math.log(2) + Math.log(3)) / 2), 12);
    expect(nmi(u, Int32Array.of(0, 1, 0, 1, 0, 1), 2, 2)).toBeCloseTo(((2 / 3) * Math.log(4 / 3) + (1 / 3) * Math.log(2 / 3)) / Math.log(2), 12);
    expect(nmi(u, Int32Array.of(1, 1, 1, 0, 0, 0), 2, 2)).toBe(1);
    // one cluster against several classes carries no information; two single-cluster labelings agree
    expect(nmi(new Int32Array(6), v, 1, 3)).toBe(0);
    expect(nmi(new Int32Array(6), new Int32Array(6), 1, 1)).toBe(1);
  });

  it('is near 0 for a random assignment', () => {
    const rng = createRng(3);
    const a = Int32Array.from({ length: 5000 }, () => Math.floor(rng() * 10));
    const labels = Uint8Array.from({ length: 5000 }, () => Math.floor(rng() * 10));
    expect(nmi(a, labels, 10, 10)).toBeLessThan(0.01);
    expect(clusterAccuracy(a, labels, 10, 10)).toBeLessThan(0.15);
  });
});

describe('k-means', () => {
  const { x, labels, n } = blobs(600, 5, 5, 15, 1);

  it('recovers well-separated blobs', () => {
    const { assignments, centroids, inertia } = kmeans(x, n, 5, 5, 42);
    expect(clusterAccuracy(assignments, labels, 5, 5)).toBe(1);
    expect(nmi(assignments, labels, 5, 5)).toBeCloseTo(1, 12);
    expect(centroids.length).toBe(25);
    // each centroid sits near a blob centre, and the inertia is about n d for unit noise
    for (let m = 0; m < 5; m++) expect(Math.max(...centroids.subarray(m * 5, m * 5 + 5))).toBeGreaterThan(14);
    expect(inertia / (n * 5)).toBeGreaterThan(0.8);
    expect(inertia / (n * 5)).toBeLessThan(1.2);
  });

  it('scores the same whatever the clusters are called', () => {
    const { assignments } = kmeans(x, n, 5, 3, 7); // too few clusters: imperfect scores that must survive relabelling
    const renamed = assignments.map((a) => [2, 0, 1][a]!);
    expect(clusterAccuracy(renamed, labels, 3, 5)).toBe(clusterAccuracy(assignments, labels, 3, 5));
    expect(nmi(renamed, labels, 3, 5)).toBeCloseTo(nmi(assignments, labels, 3, 5), 12);
    expect(clusterAccuracy(assignments, labels, 3, 5)).toBeCloseTo(0.6, 12); // three blobs matched, two lost
  });

  it('is deterministic given the seed, and its inertia is the sum of squared distances to the centroids', () => {
    const a = kmeans(x, n, 5, 8, 3, { restarts: 2 });
    expect(kmeans(x, n, 5, 8, 3, { restarts: 2 })).toEqual(a);
    let inertia = 0;
    a.assignments.forEach((m, i) => {
      for (let j = 0; j < 5; j++) inertia += (x[i * 5 + j]! - a.centroids[m * 5 + j]!) ** 2;
    });
    expect(a.inertia).toBeCloseTo(inertia, 6);
    expect(new Set(a.assignments).size).toBe(8); // no cluster left empty
  });

  it('ends, with zero inertia, when there are fewer distinct points than clusters', () => {
    // two distinct points for three clusters: one cluster must stay empty, and the loop must still stop
    const dup = Float32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
    const { assignments, centroids, inertia } = kmeans(dup, 10, 2, 3, 1);
    expect(inertia).toBe(0);
    assignments.forEach((m, i) => expect(centroids[m * 2]).toBe(dup[i * 2]));
    expect(new Set(assignments).size).toBe(2);
  });

  it('rejects inputs whose lengths disagree', () => {
    expect(() => kmeans(x, n + 1, 5, 5, 1)).toThrow(/expected x to hold 601 x 5 = 3005 values, found 3000/);
    expect(() => kmeans(x, n, 5, n + 1, 1)).toThrow(/expected k <= n = 600/);
    expect(() => nmi(Int32Array.of(0, 1), Uint8Array.of(0), 2, 2)).toThrow(/expected 2 labels, found 1/);
    expect(() => clusterAccuracy(Int32Array.of(0, 2), Uint8Array.of(0, 1), 2, 2)).toThrow(/expected assignments\[1\] in 0\.\.1, found 2/);
  });
});
