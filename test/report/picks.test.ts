import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/report/figures/csv.js';
import { fmt, zName } from '../../src/report/figures/format.js';
import { around, gridZ } from '../../src/report/stages/shared/latent-grid.js';
import { classMean, classStd, strongestPair } from '../../src/report/analysis/posterior-stats.js';
import { column, firstOfEachClass, gatherRows, reconstructionPicks, seededSubset, standardNormals } from '../../src/report/analysis/picks.js';
import { linePoints } from '../../src/report/stages/interpolations.js';

describe('fixed picks', () => {
  it('finds the first example of each class, -1 where absent', () => {
    expect(firstOfEachClass(Uint8Array.of(3, 1, 3, 0, 1), 4)).toEqual([3, 1, -1, 0]);
  });

  it('picks the reconstruction digits: the first of each class, then seeded extras from the pool, none twice', () => {
    const labels = Uint8Array.from({ length: 500 }, (_, i) => (i * 7) % 10);
    const p = reconstructionPicks(labels, 10, 10, 100);
    expect(p.first.map((f) => f.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(p.first.every((f) => labels[f.idx] === f.label && labels.indexOf(f.label) === f.idx)).toBe(true);
    expect(p.pool).toBe(100);
    expect(p.extra).toHaveLength(10);
    expect(p.extra.every((i) => i < 100 && !p.first.some((f) => f.idx === i))).toBe(true);
    expect(reconstructionPicks(labels, 10, 10, 100)).toEqual(p);
    expect(reconstructionPicks(labels.subarray(0, 12), 10, 10, 100)).toMatchObject({ pool: 12, extra: [10, 11] });
  });

  it('draws a seeded subset: distinct, sorted, the same every time, all when n >= count', () => {
    const a = seededSubset(1000, 50);
    expect(a).toEqual(seededSubset(1000, 50));
    expect(new Set(a).size).toBe(50);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(seededSubset(5, 9)).toEqual([0, 1, 2, 3, 4]);
    expect(seededSubset(1000, 50, 7)).not.toEqual(a);
  });

  it('gathers rows of either array type', () => {
    expect([...gatherRows(Float32Array.of(0, 1, 2, 3, 4, 5), 2, [2, 0])]).toEqual([4, 5, 0, 1]);
    expect(gatherRows(Uint8Array.of(7, 8, 9), 1, [1])).toBeInstanceOf(Uint8Array);
    expect([...column(Float32Array.of(0, 1, 2, 3, 4, 5), 2, 1)]).toEqual([1, 3, 5]);
  });

  it('draws standard normals: seeded, mean ~0, variance ~1', () => {
    const z = standardNormals(20001, 3);
    expect(z).toEqual(standardNormals(20001, 3));
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });
});

describe('latent statistics against hand computation', () => {
  // Two images, two dims: image 0 mu (1, 0) logVar (0, log 4); image 1 mu (3, 0) logVar (0, log 4).
  const split = { count: 2, mu: Float32Array.of(1, 0, 3, 0), logVar: Float32Array.of(0, Math.log(4), 0, Math.log(4)), labels: Uint8Array.of(5, 5) };

  it('picks the strongest pair in index order', () => {
    expect(strongestPair([0.5, 0.001, 2, 1])).toEqual([2, 3]);
    expect(strongestPair([0, 0])).toEqual([0, 1]);
  });

  it('takes class means and spreads', () => {
    expect([...classMean(split, 2, 5)]).toEqual([2, 0]);
    expect([...classStd(split, 2, 5)]).toEqual([1, 0]);
    expect(() => classMean(split, 2, 4)).toThrow(/no examples of class 4/);
  });
});

describe('latent grids and paths', () => {
  it('puts xs along dims[0], ys along dims[1], the rest from base', () => {
    const z = gridZ({ xs: [-1, 1], ys: [2, -2], dims: [2, 0], base: Float32Array.of(9, 8, 7) });
    expect([...z]).toEqual([2, 8, -1, 2, 8, 1, -2, 8, -1, -2, 8, 1]);
    expect(around(1, 3, 0.5)).toEqual([0.5, 1, 1.5]);
  });

  it('formats with a true minus and names dims with subscripts', () => {
    expect(fmt(-1.234)).toBe('−1.23');
    expect(fmt(-0.001)).toBe('0.00');
    expect(zName(0)).toBe('z₁');
    expect(zName(11)).toBe('z₁₂');
  });

  it('walks straight lines from a to each b, ends included', () => {
    const p = linePoints(Float32Array.of(0, 0), [Float32Array.of(2, 4)], 3);
    expect([...p]).toEqual([0, 0, 1, 2, 2, 4]);
  });
});

describe('toCsv', () => {
  it('quotes only what needs quoting and leaves non-finite numbers empty', () => {
    expect(toCsv(['a', 'b'], [['x,y', 1.5], ['say "hi"', Number.NaN]])).toBe('a,b\n"x,y",1.5\n"say ""hi""",\n');
  });
});
