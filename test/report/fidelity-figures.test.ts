import { describe, expect, it } from 'vitest';
import { minimisesElbo, objectiveFormula, objectiveName } from '../../src/config/objective.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { createRng } from '../../src/data/batches.js';
import { latentTrend, meanAbsCorrelation } from '../../src/report/compare/beta-trends.js';
import { averagedGaussians } from '../../src/report/analysis/averaged-gaussians.js';
import { classGaussians } from '../../src/report/analysis/class-gaussians.js';
import { pca2, projectOnto } from '../../src/report/analysis/pca.js';
import { aggregateStd } from '../../src/report/analysis/posterior-stats.js';
import { sampleLatents } from '../../src/report/analysis/sampled-latents.js';
import { rasterizeScatter } from '../../src/report/figures/raster-scatter.js';
import { toggle } from '../../src/report/figures/toggle.js';
import { html } from '../../src/report/figures/html.js';
import { traversalCodes, traversalDims } from '../../src/report/stages/traversals.js';

const loss = (over: Record<string, unknown>) => ConfigSchema.parse({ loss: over }).loss;

describe('the objective a run trained, in words', () => {
  it('names the ELBO, a β-VAE and each ablation, and gives the formula', () => {
    const name = (beta: number, reconstructionWeight: number) => objectiveName({ beta, reconstructionWeight });
    expect(name(1, 1)).toBe('ELBO (β = 1)');
    expect(name(4, 1)).toBe('β-VAE, β = 4');
    expect(name(1, 0)).toBe('KL only (reconstruction weight 0)');
    expect(name(0, 1)).toBe('reconstruction only (β = 0)');
    expect(name(2, 0.5)).toBe('weighted ELBO, 0.5·recon + 2·KL');
    expect(objectiveFormula({ beta: 4, reconstructionWeight: 1 })).toBe('recon + 4·KL');
    expect(objectiveFormula({ beta: 1, reconstructionWeight: 1, objective: 'iwae', samples: 5 })).toBe('the IWAE bound, k = 5');
    expect(minimisesElbo({ beta: 1, reconstructionWeight: 1, objective: 'iwae', samples: 5 })).toBe(false);
    expect(minimisesElbo({ beta: 1, reconstructionWeight: 1 })).toBe(true);
    expect(minimisesElbo({ beta: 1, reconstructionWeight: 0 })).toBe(false);
  });

  it('names the schedule and the floor in the formula and the name, and never calls it the ELBO alone', () => {
    const warm = loss({ warmup: { epochs: 10 } });
    expect(minimisesElbo(warm)).toBe(false);
    expect(objectiveFormula(warm)).toBe('recon + min(1, e/10)·KL (e: epochs done)');
    expect(objectiveName(warm)).toBe('ELBO (β = 1) with KL warm-up (β from 0 to 1 linearly over 10 epochs)');
    const both = loss({ beta: 4, warmup: { steps: 500 }, freeBits: 0.5 });
    expect(objectiveFormula(both)).toBe('recon + 4·min(1, t/500)·Σ_d max(KL_d, 0.5) (t: steps done)');
    expect(objectiveName(both)).toBe('β-VAE, β = 4 with KL warm-up (β from 0 to 4 linearly over 500 steps) and free bits (the KL of each latent dimension floored at 0.5 nats)');
    const floor = loss({ freeBits: 0.25, samples: 5 });
    expect(minimisesElbo(floor)).toBe(false);
    expect(objectiveFormula(floor)).toBe('recon + Σ_d max(KL_d, 0.25)');
    expect(objectiveName(floor)).toBe('ELBO (β = 1) with free bits (the KL of each latent dimension floored at 0.25 nats), recon averaged over 5 samples (the KL in closed form)');
    expect(objectiveName(loss({ reconstructionWeight: 0.5, beta: 2, warmup: { epochs: 3 } }))).toBe('weighted ELBO, 0.5·recon + 2·min(1, e/3)·KL (e: epochs done)');
  });

  it('says that two stochastic layers sample every KL term, averaged over the k samples', () => {
    expect(objectiveName(loss({ samples: 5 }), true)).toBe('ELBO (β = 1), every KL term sampled, averaged over 5 samples');
    expect(objectiveName(loss({}), true)).toBe('ELBO (β = 1), every KL term sampled');
    expect(objectiveName(loss({ objective: 'iwae', samples: 5 }), true)).toBe('IWAE bound, k = 5');
    expect(objectiveName(loss({ samples: 5 }), false)).toBe('ELBO (β = 1), recon averaged over 5 samples (the KL in closed form)');
  });
});

describe('sampled latents', () => {
  it('draw mu + sd * eps: seeded, centred on the means, with the posterior spread', () => {
    const n = 20000;
    const mu = Float32Array.from({ length: n * 2 }, (_, k) => (k % 2 === 0 ? 3 : -1));
    const logVar = Float32Array.from({ length: n * 2 }, (_, k) => (k % 2 === 0 ? Math.log(0.25) : Math.log(4)));
    const z = sampleLatents(mu, logVar, n, 2, 7);
    expect(sampleLatents(mu, logVar, n, 2, 7)).toEqual(z);
    expect(sampleLatents(mu, logVar, n, 2, 8)).not.toEqual(z);
    const stats = (j: number) => {
      let s = 0;
      let ss = 0;
      for (let i = 0; i < n; i++) [s, ss] = [s + z[2 * i + j]!, ss + z[2 * i + j]! ** 2];
      return { mean: s / n, sd: Math.sqrt(ss / n - (s / n) ** 2) };
    };
    expect(stats(0).mean).toBeCloseTo(3, 1);
    expect(stats(0).sd).toBeCloseTo(0.5, 1);
    expect(stats(1).mean).toBeCloseTo(-1, 1);
    expect(stats(1).sd).toBeCloseTo(2, 1);
  });

  it('project onto a PCA fitted elsewhere exactly as pca2 projects its own points', () => {
    const n = 50;
    const pts = Float32Array.from({ length: n * 3 }, (_, k) => Math.sin(k * 1.7) * (1 + (k % 3)));
    const pca = pca2(pts, n, 3);
    const ours = projectOnto(pts, n, 3, pca);
    for (let k = 0; k < ours.length; k++) expect(ours[k]).toBeCloseTo(pca.projected[k]!, 5);
  });
});

describe('the latent-size study\'s averaged Gaussians', () => {
  it('average the means and the standard deviations per class, axis-aligned, and are never wider than the moment-matched ones', () => {
    // class 0: two images with means (0, 0) and (2, 0), sd 1 and 3 on x; class 1: one image
    const mu = Float32Array.of(0, 0, 2, 0, 5, 5);
    const logVar = Float32Array.from([1, 1, 9, 1, 4, 0.25].map(Math.log));
    const labels = Uint8Array.of(0, 0, 1);
    const [c0, c1] = averagedGaussians(mu, logVar, labels, 3, 2, [0, 1], 2);
    expect(c0!.mean).toEqual([1, 0]);
    expect(c0!.cov[0][0]).toBeCloseTo(4, 5); // mean sd on x = (1 + 3) / 2 = 2
    expect(c0!.cov[1][1]).toBeCloseTo(1, 5);
    expect([c0!.cov[0][1], c0!.cov[1][0]]).toEqual([0, 0]); // axis-aligned
    expect(c1!.cov[0][0]).toBeCloseTo(4);
    expect(c1!.cov[1][1]).toBeCloseTo(0.25);
    const matched = classGaussians(mu, logVar, labels, 3, 2, [0, 1], 2);
    // moment-matched x variance: mean variance (1 + 9) / 2 + variance of the means 1 = 6 > 4
    expect(matched[0]!.cov[0][0]).toBeCloseTo(6);
    expect(matched[0]!.cov[0][0]).toBeGreaterThan(c0!.cov[0][0]);
  });
});

describe('traversals', () => {
  it('sweep the active dimensions by KL, largest first, or say none is active', () => {
    expect(traversalDims([0.1, 3, 2, 0.001], [0.5, 1, 0.8, 0.0001], 0.01, 12)).toEqual({ dims: [1, 2, 0], active: true });
    expect(traversalDims([0.1, 3, 2, 0.001], [0.5, 1, 0.8, 0.0001], 0.01, 2)).toEqual({ dims: [1, 2], active: true });
    expect(traversalDims([0.2, 0.1, 0.3], [0, 0, 0], 0.01, 12)).toEqual({ dims: [2, 0], active: false });
  });

  it('move one dimension at a time over ±range sd, the others at the base code', () => {
    const codes = traversalCodes(Float32Array.of(1, 2, 3), [2, 0], [10, 10, 0.5], 3, 3);
    expect(Array.from(codes)).toEqual([1, 2, 1.5, 1, 2, 3, 1, 2, 4.5, -29, 2, 3, 1, 2, 3, 31, 2, 3]);
  });

  it('measure the aggregate posterior: sd of the means and the mean posterior variance together', () => {
    const split = { count: 2, mu: Float32Array.of(-1, 0, 1, 0), logVar: Float32Array.from([0, Math.log(4), 0, Math.log(4)]), labels: Uint8Array.of(0, 1) };
    const sd = aggregateStd(split, 2);
    expect(sd[0]).toBeCloseTo(Math.sqrt(1 + 1));
    expect(sd[1]).toBeCloseTo(2);
  });
});

describe('the raster scatter', () => {
  it('paints each point in its class colour at its place (y upwards) and leaves the rest white', () => {
    const rgb = rasterizeScatter({ x: Float32Array.of(-0.5, 0.5), y: Float32Array.of(0.5, -0.5), labels: Uint8Array.of(0, 3), xDomain: [-1, 1], yDomain: [-1, 1], width: 40, height: 40, radius: 2, alpha: 1 });
    const at = (x: number, y: number) => Array.from(rgb.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3));
    expect(at(10, 10)).toEqual([0x33, 0x22, 0x88]); // class 0 upper left
    expect(at(30, 30)).toEqual([0x11, 0x77, 0x33]); // class 3 lower right
    expect(at(30, 10)).toEqual([255, 255, 255]);
    expect(at(10, 30)).toEqual([255, 255, 255]);
  });
});

describe('the toggle', () => {
  it('shows the first view, escapes labels, and names its inputs by group', () => {
    const t = String(toggle('sec', [{ label: '<a>', body: html`<p>one</p>` }, { label: 'two', body: html`<p>two</p>` }]));
    expect(t).toContain('<input type="radio" name="sec-view" id="sec-view-0" checked><label for="sec-view-0">&lt;a&gt;</label>');
    expect(t).toContain('<input type="radio" name="sec-view" id="sec-view-1"><label for="sec-view-1">two</label>');
    expect(t.match(/class="view"/g)).toHaveLength(2);
    expect(() => toggle('x', [])).toThrow(RangeError);
  });
});

describe('the latent code against β', () => {
  it('mean |correlation| of the means: 1 for copies, near 0 for independent dims, dims without variance skipped', () => {
    const n = 4000;
    const rng = createRng(3);
    const mu = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const a = rng() - 0.5;
      mu.set([a, -2 * a, 0.7, rng() - 0.5], i * 4); // dim 1 = -2 x dim 0; dim 2 constant; dim 3 independent
    }
    const pairs = meanAbsCorrelation(mu, n, 4)!;
    // usable pairs: (0,1) = 1, (0,3) ~ 0, (1,3) ~ 0
    expect(pairs).toBeGreaterThan(1 / 3 - 0.03);
    expect(pairs).toBeLessThan(1 / 3 + 0.03);
    expect(meanAbsCorrelation(Float32Array.of(1, 2, 1, 2), 2, 2)).toBeNull();
  });

  it('a trend holds each dimension\'s mean posterior sd, the active units and the dimension', () => {
    const test = { count: 2, mu: Float32Array.of(-1, 0, 1, 0), logVar: Float32Array.from([0, Math.log(4), Math.log(4), Math.log(4)]), labels: Uint8Array.of(0, 1) };
    const t = latentTrend(4, 'g', test, 2, 0.01);
    expect(t.sdPerDim[0]).toBeCloseTo(1.5);
    expect(t.sdPerDim[1]).toBeCloseTo(2);
    expect(t.activeUnits).toBe(1);
    expect(t.dim).toBe(2);
    expect(t.meanAbsCorr).toBeNull();
  });
});
