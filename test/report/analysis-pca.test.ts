import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/data/batches.js';
import { pca2 } from '../../src/report/analysis/pca.js';

// Orthonormal directions with a unique largest-magnitude entry each (8/9 and 4/5), so the sign rule
// picks exactly u and v.
const U = [1 / 9, 4 / 9, 8 / 9, 0, 0];
const V = [0, 0, 0, 3 / 5, 4 / 5];
const CENTRE = [1, -2, 0.5, 3, 0];

/** x = centre + a u + b v for each (a, b). */
function along(coefficients: [number, number][]): Float32Array {
  const dim = CENTRE.length;
  const points = new Float32Array(coefficients.length * dim);
  coefficients.forEach(([a, b], i) => {
    for (let d = 0; d < dim; d++) points[i * dim + d] = CENTRE[d]! + a * U[d]! + b * V[d]!;
  });
  return points;
}

describe('pca2', () => {
  // a has variance 9, b variance 1, and they are uncorrelated: ratios 0.9 and 0.1.
  const coefficients: [number, number][] = [
    [3, 1],
    [3, -1],
    [-3, 1],
    [-3, -1],
    [0, 0],
    [1.5, 0],
    [-1.5, 0],
  ];

  it('finds the known directions, their variance shares, and the coordinates along them', () => {
    const n = coefficients.length;
    const { projected, explained, components, mean } = pca2(along(coefficients), n, 5);
    // var(a) = (4 * 9 + 2 * 2.25) / 7 = 40.5 / 7, var(b) = 4 / 7: shares 40.5 / 44.5 and 4 / 44.5.
    expect(explained[0]).toBeCloseTo(40.5 / 44.5, 6);
    expect(explained[1]).toBeCloseTo(4 / 44.5, 6);
    for (let d = 0; d < 5; d++) {
      expect(components[0][d]).toBeCloseTo(U[d]!, 6);
      expect(components[1][d]).toBeCloseTo(V[d]!, 6);
      expect(mean[d]).toBeCloseTo(CENTRE[d]!, 6);
    }
    coefficients.forEach(([a, b], i) => {
      expect(projected[i * 2]).toBeCloseTo(a, 5);
      expect(projected[i * 2 + 1]).toBeCloseTo(b, 5);
    });
  });

  it('fixes each sign so the largest-magnitude entry is positive', () => {
    // Eigensolvers return ±v arbitrarily; over many random clouds an unfixed sign would show up.
    const rng = createRng(21);
    for (let trial = 0; trial < 20; trial++) {
      const n = 40;
      const dim = 6;
      const points = Float32Array.from({ length: n * dim }, () => rng() * 2 - 1);
      for (const component of pca2(points, n, dim).components) {
        const largest = component.reduce((best, v) => (Math.abs(v) > Math.abs(best) ? v : best), 0);
        expect(largest).toBeGreaterThan(0);
      }
    }
  });

  it('rotates 2-D input onto its own principal axes', () => {
    // Spread 2 along 30 degrees and 0.5 across it.
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    const ab: [number, number][] = [[2, 0.5], [2, -0.5], [-2, 0.5], [-2, -0.5]];
    const points = Float32Array.from(ab.flatMap(([a, b]) => [a * c - b * s, a * s + b * c]));
    const { projected, explained, components } = pca2(points, 4, 2);
    expect(explained[0]).toBeCloseTo(4 / 4.25, 6);
    expect(explained[1]).toBeCloseTo(0.25 / 4.25, 6);
    expect(components[0][0]).toBeCloseTo(c, 6);
    expect(components[0][1]).toBeCloseTo(s, 6);
    expect(components[1][0]).toBeCloseTo(-s, 6);
    expect(components[1][1]).toBeCloseTo(c, 6);
    ab.forEach(([a, b], i) => {
      expect(projected[i * 2]).toBeCloseTo(a, 5);
      expect(projected[i * 2 + 1]).toBeCloseTo(b, 5);
    });
  });

  it('at 64 dimensions: the first projection has the top eigenvalue as variance and the components are orthonormal', () => {
    const rng = createRng(11);
    const n = 300;
    const dim = 64;
    const points = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const t = rng() * 2 - 1; // one strong shared factor plus noise
      for (let d = 0; d < dim; d++) points[i * dim + d] = 5 * t * Math.cos(d) + (rng() - 0.5);
    }
    const { projected, explained, components } = pca2(points, n, dim);
    let total = 0;
    const mean = new Float64Array(dim);
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d]! += points[i * dim + d]! / n;
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) total += (points[i * dim + d]! - mean[d]!) ** 2 / n;
    let var0 = 0;
    let var1 = 0;
    let cross = 0;
    for (let i = 0; i < n; i++) {
      var0 += projected[i * 2]! ** 2 / n;
      var1 += projected[i * 2 + 1]! ** 2 / n;
      cross += (projected[i * 2]! * projected[i * 2 + 1]!) / n;
    }
    expect(var0 / total).toBeCloseTo(explained[0], 5);
    expect(var1 / total).toBeCloseTo(explained[1], 5);
    expect(cross / total).toBeCloseTo(0, 5); // principal coordinates are uncorrelated
    expect(explained[0]).toBeGreaterThan(0.9);
    const dot = (x: Float64Array, y: Float64Array): number => x.reduce((s, v, k) => s + v * y[k]!, 0);
    expect(dot(components[0], components[0])).toBeCloseTo(1, 12);
    expect(dot(components[1], components[1])).toBeCloseTo(1, 12);
    expect(dot(components[0], components[1])).toBeCloseTo(0, 12);
  });

  it('identical points: no variance, ratios 0, coordinates 0', () => {
    const { projected, explained } = pca2(Float32Array.from([1, 2, 3, 1, 2, 3]), 2, 3);
    expect(explained).toEqual([0, 0]);
    expect(Array.from(projected)).toEqual([0, 0, 0, 0]);
  });

  it('dim 1: the only direction, and a zero second coordinate', () => {
    const { projected, explained, components } = pca2(Float32Array.from([1, 2, 3]), 3, 1);
    expect(explained).toEqual([1, 0]);
    expect(Array.from(components[0])).toEqual([1]);
    expect(Array.from(projected)).toEqual([-1, 0, 0, 0, 1, 0]);
  });

  it('rejects a points array of the wrong length', () => {
    expect(() => pca2(new Float32Array(7), 2, 4)).toThrow(RangeError);
  });
});
