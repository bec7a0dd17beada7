import { describe, expect, it } from 'vitest';
import { gridQuantiles, inverseNormalCdf } from '../../src/report/analysis/normal-quantiles.js';

// Reference quantiles computed independently with mpmath at 40+ digits (sqrt(2) erfinv(2p - 1), and a
// root of log Φ(x) = log p in the far tail), rounded to 17 significant digits.
const REFERENCE: [number, number][] = [
  [0.975, 1.959963984540054], // the brief's value; mpmath 1.9599639845400542355
  [0.05, -1.6448536269514727],
  [0.3, -0.52440051270804078],
  [0.999, 3.0902323061678135], // tail branch, r <= 5
  [1e-5, -4.2648907939228246],
  [1e-10, -6.3613409024040562],
  [1e-20, -9.2623400897984076], // far-tail branch, r > 5
  [1e-300, -37.047096299361199],
];

describe('inverseNormalCdf', () => {
  it.each(REFERENCE)('Φ⁻¹(%s) matches the reference to 1e-14 relative', (p, z) => {
    expect(Math.abs(inverseNormalCdf(p) - z)).toBeLessThanOrEqual(1e-14 * Math.abs(z));
  });

  it('is exactly 0 at the median', () => {
    expect(inverseNormalCdf(0.5)).toBe(0);
  });

  it('is odd: Φ⁻¹(1 - p) = -Φ⁻¹(p), exactly where 1 - p is exact', () => {
    // Dyadic p: p and 1 - p are both exact doubles, so the algorithm sees mirrored inputs.
    for (const p of [0.25, 0.125, 0.0625, 1 / 1024, 2 ** -40]) {
      expect(inverseNormalCdf(1 - p)).toBe(-inverseNormalCdf(p));
    }
    // Elsewhere 1 - p rounds, which moves z by that rounding over the density; still within 1e-12 here.
    for (const p of [0.001, 0.01, 0.1, 0.2, 0.45]) {
      expect(inverseNormalCdf(1 - p)).toBeCloseTo(-inverseNormalCdf(p), 12);
    }
  });

  it('increases with p', () => {
    let previous = -Infinity;
    for (let k = -300; k <= 300; k++) {
      const p = 1 / (1 + Math.exp(-k / 10)); // logistic grid from ~1e-13 to 1 - 1e-13
      const z = inverseNormalCdf(p);
      expect(z).toBeGreaterThan(previous);
      previous = z;
    }
  });

  it('throws a RangeError outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, 1.5, Number.NaN, Infinity]) {
      expect(() => inverseNormalCdf(p)).toThrow(RangeError);
    }
  });
});

describe('gridQuantiles', () => {
  it('is Φ⁻¹ at linspace(0.05, 0.95, n)', () => {
    // scipy: norm.ppf(np.linspace(0.05, 0.95, 4)) = [-1.6448536, -0.3853205, 0.3853205, 1.6448536]
    const grid = gridQuantiles(4);
    expect(grid).toHaveLength(4);
    expect(grid[0]).toBeCloseTo(-1.6448536269514727, 14);
    expect(grid[1]).toBeCloseTo(inverseNormalCdf(0.35), 14);
    expect(grid[1]).toBeCloseTo(-0.38532046640756762, 14); // mpmath
    expect(grid[3]).toBeCloseTo(1.6448536269514727, 14);
  });

  it.each([2, 3, 7, 10, 20, 25])('n = %i: ascending and exactly symmetric about 0', (n) => {
    const grid = gridQuantiles(n);
    expect(grid).toHaveLength(n);
    for (let i = 1; i < n; i++) expect(grid[i]!).toBeGreaterThan(grid[i - 1]!);
    for (let i = 0; i < Math.floor(n / 2); i++) expect(grid[n - 1 - i]).toBe(-grid[i]!);
    if (n % 2 === 1) expect(grid[(n - 1) / 2]).toBe(0);
  });

  it('n = 1 follows numpy: linspace gives [0.05]', () => {
    expect(gridQuantiles(1)).toEqual([inverseNormalCdf(0.05)]);
  });

  it('rejects a non-positive or fractional n', () => {
    for (const n of [0, -1, 2.5]) expect(() => gridQuantiles(n)).toThrow(RangeError);
  });
});
