import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/data/batches.js';
import { fixSign, symmetricEigen } from '../../src/report/analysis/eigen.js';

function randomSymmetric(dim: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const a = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = rng() * 2 - 1;
      a[i * dim + j] = v;
      a[j * dim + i] = v;
    }
  }
  return a;
}

describe('symmetricEigen', () => {
  it.each([2, 3, 8, 64])('dim %i: A v = λ v, orthonormal vectors, values descending, trace kept', (dim) => {
    const a = randomSymmetric(dim, dim);
    const copy = Float64Array.from(a);
    const { values, vectors } = symmetricEigen(a, dim);
    expect(a).toEqual(copy); // input untouched
    let trace = 0;
    for (let i = 0; i < dim; i++) trace += a[i * dim + i]!;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
    for (let k = 1; k < dim; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
    for (let k = 0; k < dim; k++) {
      const v = vectors[k]!;
      for (let i = 0; i < dim; i++) {
        let av = 0;
        for (let j = 0; j < dim; j++) av += a[i * dim + j]! * v[j]!;
        expect(Math.abs(av - values[k]! * v[i]!)).toBeLessThan(1e-10);
      }
      for (let l = 0; l < dim; l++) {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += v[i]! * vectors[l]![i]!;
        expect(dot).toBeCloseTo(k === l ? 1 : 0, 10);
      }
    }
  });

  it('handles repeated eigenvalues and an already diagonal matrix', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 0, 0, 0, 5, 0, 0, 0, 2]), 3);
    expect(Array.from(values)).toEqual([5, 2, 2]);
    expect(Array.from(vectors[0]!)).toEqual([0, 1, 0]);
    // Ties keep index order: e0 before e2.
    expect(Array.from(vectors[1]!)).toEqual([1, 0, 0]);
    expect(Array.from(vectors[2]!)).toEqual([0, 0, 1]);
  });

  it('solves a 2 x 2 case by hand: [[2, 1], [1, 2]] has 3 along (1, 1) and 1 along (1, -1)', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(vectors[0]![0]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0]![0]! * vectors[0]![1]!).toBeCloseTo(0.5, 14); // same signs
    expect(vectors[1]![0]! * vectors[1]![1]!).toBeCloseTo(-0.5, 14); // opposite signs
  });

  it('rejects a matrix of the wrong size', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(RangeError);
  });
});

describe('fixSign', () => {
  it('flips a vector whose largest-magnitude entry is negative, and leaves others', () => {
    expect(Array.from(fixSign(Float64Array.from([0.1, -0.9, 0.3])))).toEqual([-0.1, 0.9, -0.3]);
    expect(Array.from(fixSign(Float64Array.from([-0.1, 0.9, 0.3])))).toEqual([-0.1, 0.9, 0.3]);
  });
});
