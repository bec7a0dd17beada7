import { describe, expect, it } from 'vitest';
import { describeEvalMetrics } from '../../src/eval/run-metrics.js';
import { pointMetrics } from '../../src/run/sweep-file.js';
import type { EvalMetrics } from '../../src/run/eval-metrics.js';

function metrics(images: number): EvalMetrics {
  const iwae = { nll: 90.5, stdError: 0, negElbo: 95, images, samples: 50, seconds: 1 };
  return {
    formatVersion: 1,
    computedAt: '2026-12-07T00:00:00Z',
    test: { images, negElbo: 100.25, negElboStdError: images < 2 ? 0 : 1.5, recon: 90, kl: 10.25 },
    iwae: { ...iwae, stdError: images < 2 ? 0 : 0.75 },
    latent: { dim: 2, activeUnits: 2, threshold: 0.01, muVariance: [1, 1], klPerDim: [5, 5.25] },
    training: { backend: 'wasm', epochs: 1, wallSeconds: 1, trainSeconds: 1, samplesPerSecond: null },
    evalSeconds: 1,
  };
}

describe('the standard error of a mean over one image', () => {
  it('is said to be unknown, never printed as ± 0.00', () => {
    const one = describeEvalMetrics(metrics(1));
    expect(one).not.toContain('± 0.00');
    expect(one).toContain('test -ELBO 100.25 (one image: no standard error) nats/image');
    expect(one).toContain('IWAE NLL 90.50 (one image: no standard error) (K 50');
    expect(pointMetrics(metrics(1)).iwaeStdError).toBeNull();
  });

  it('is printed from two images on', () => {
    const two = describeEvalMetrics(metrics(2));
    expect(two).toContain('test -ELBO 100.25 ± 1.50 nats/image');
    expect(two).toContain('IWAE NLL 90.50 ± 0.75');
    expect(pointMetrics(metrics(2)).iwaeStdError).toBe(0.75);
  });
});
