import { describe, expect, it } from 'vitest';
import { batchCount, createRng, deriveSeed, epochOrder, gatherBatch, oneHot } from '../../src/data/batches.js';
import type { Split } from '../../src/data/datasets.js';

const isPermutation = (order: Uint32Array, n: number): boolean =>
  order.length === n && new Set(order).size === n && order.every((i) => i < n);

describe('createRng', () => {
  it('matches the reference mulberry32 output for seed 0', () => {
    // First outputs of the canonical JavaScript mulberry32 (bryc/code, PRNGs.md) seeded with 0.
    const rng = createRng(0);
    expect(Math.round(rng() * 2 ** 32)).toBe(1144304738);
    expect(Math.round(rng() * 2 ** 32)).toBe(1416247);
  });

  it('stays in [0, 1) and is deterministic per seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(createRng(43)()).not.toBe(createRng(42)());
  });
});

describe('deriveSeed', () => {
  it('gives distinct seeds for neighbouring (seed, stream) pairs', () => {
    const seeds = new Set<number>();
    for (let seed = 0; seed < 50; seed++) for (let stream = 0; stream < 50; stream++) seeds.add(deriveSeed(seed, stream));
    expect(seeds.size).toBe(2500);
  });
});

describe('epochOrder', () => {
  it('is a permutation', () => {
    for (const n of [0, 1, 2, 7, 1000]) expect(isPermutation(epochOrder(n, 1, 0), n)).toBe(true);
  });

  it('is a pure function of (seed, epoch)', () => {
    expect(epochOrder(500, 7, 3)).toEqual(epochOrder(500, 7, 3));
  });

  it('differs across epochs and across seeds', () => {
    const base = epochOrder(500, 7, 3);
    expect(epochOrder(500, 7, 4)).not.toEqual(base);
    expect(epochOrder(500, 8, 3)).not.toEqual(base);
  });

  it('actually shuffles: few fixed points, each position roughly uniform', () => {
    const order = epochOrder(10000, 1, 0);
    const fixed = order.filter((v, i) => v === i).length;
    expect(fixed).toBeLessThan(10); // about 1 expected for a uniform permutation
    // Where index 0 lands over many epochs should cover all 10 slots of a 10-element order.
    const firstSlots = new Set<number>();
    for (let epoch = 0; epoch < 200; epoch++) firstSlots.add(epochOrder(10, 1, epoch).indexOf(0));
    expect(firstSlots.size).toBe(10);
  });

  it('rejects a negative or fractional count', () => {
    expect(() => epochOrder(-1, 1, 0)).toThrow(RangeError);
    expect(() => epochOrder(2.5, 1, 0)).toThrow(RangeError);
  });
});

describe('batchCount', () => {
  it('counts the last partial batch', () => {
    expect(batchCount(60000, 128)).toBe(469);
    expect(batchCount(256, 128)).toBe(2);
    expect(batchCount(1, 128)).toBe(1);
    expect(batchCount(0, 128)).toBe(0);
  });

  it('rejects a batch size below 1', () => {
    expect(() => batchCount(10, 0)).toThrow(RangeError);
  });
});

describe('gatherBatch', () => {
  // Three 2-pixel "images": image n has pixels [n, n + 0.5].
  const split: Split = {
    images: Float32Array.from([0, 0.5, 1, 1.5, 2, 2.5]),
    labels: Uint8Array.from([7, 8, 9]),
    count: 3,
  };

  it('copies images and labels in the given order', () => {
    const order = Uint32Array.from([2, 0, 1]);
    const { x, y } = gatherBatch(split, order, 0, 2);
    expect(Array.from(x)).toEqual([2, 2.5, 0, 0.5]);
    expect(Array.from(y)).toEqual([9, 7]);
    const last = gatherBatch(split, order, 2, 3);
    expect(Array.from(last.x)).toEqual([1, 1.5]);
    expect(Array.from(last.y)).toEqual([8]);
  });

  it('covers every example exactly once over an epoch of batches', () => {
    const count = 3;
    const order = epochOrder(count, 5, 0);
    const seen: number[] = [];
    for (let b = 0; b < batchCount(count, 2); b++) {
      seen.push(...gatherBatch(split, order, b * 2, Math.min((b + 1) * 2, count)).y);
    }
    expect(seen.sort()).toEqual([7, 8, 9]);
  });

  it('rejects an empty or out-of-range slice and indices outside the split', () => {
    const order = Uint32Array.from([0, 1, 2]);
    expect(() => gatherBatch(split, order, 1, 1)).toThrow(RangeError);
    expect(() => gatherBatch(split, order, 0, 4)).toThrow(RangeError);
    expect(() => gatherBatch(split, Uint32Array.from([3]), 0, 1)).toThrow(/outside a split of 3/);
  });
});

describe('oneHot', () => {
  it('sets one 1 per row at the label', () => {
    expect(Array.from(oneHot(Uint8Array.from([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('rejects a label not below numClasses', () => {
    expect(() => oneHot(Uint8Array.from([3]), 3)).toThrow(/label 3 at index 0/);
  });
});
