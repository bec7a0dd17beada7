import { describe, expect, it } from 'vitest';
import { latentUsage } from '../../src/eval/active-units.js';

describe('active units and KL per dimension', () => {
  it('counts the dimensions whose posterior mean varies over the data by more than the threshold', () => {
    // 4 images x 4 dims. Variances of each column's mean (over the 4 images, divided by 4):
    // dim 0: +-1 -> 1; dim 1: constant 3 -> 0; dim 2: +-0.11 -> 0.0121 (active); dim 3: +-0.09 -> 0.0081 (not)
    const rows = [
      [1, 3, 0.11, 0.09],
      [-1, 3, -0.11, -0.09],
      [1, 3, 0.11, 0.09],
      [-1, 3, -0.11, -0.09],
    ];
    const mu = Float32Array.from(rows.flat());
    const logVar = new Float32Array(16); // unit variances: KL per dim is mu^2 / 2
    const usage = latentUsage(mu, logVar, 4, 4, 0.01);
    expect(usage.activeUnits).toBe(2);
    expect(usage.threshold).toBe(0.01);
    const want = [1, 0, 0.0121, 0.0081];
    usage.muVariance.forEach((v, u) => expect(v).toBeCloseTo(want[u]!, 7));
    expect(usage.klPerDim[1]).toBeCloseTo(4.5, 6); // a constant mean of 3 costs KL but carries nothing
    expect(latentUsage(mu, logVar, 4, 4, 0.001).activeUnits).toBe(3);
  });

  it('KL per dimension is the closed form, averaged over images, and sums to the KL term', () => {
    // one image, dim 0: mu 1, logVar 0 -> 0.5; dim 1: mu 0, logVar log 4 -> 0.5 (4 - 1 - log 4)
    const usage = latentUsage(Float32Array.of(1, 0), Float32Array.of(0, Math.log(4)), 1, 2, 0.01);
    expect(usage.klPerDim[0]).toBeCloseTo(0.5, 6);
    expect(usage.klPerDim[1]).toBeCloseTo(0.5 * (4 - 1 - Math.log(4)), 6);
    expect(usage.muVariance).toEqual([0, 0]); // one image: nothing varies, nothing is active
    expect(usage.activeUnits).toBe(0);
  });

  it('refuses arrays of the wrong size', () => {
    expect(() => latentUsage(new Float32Array(6), new Float32Array(6), 4, 2, 0.01)).toThrow(/4 x 2/);
  });
});
