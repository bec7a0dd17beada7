import type { Latents } from '../../run/latents.js';
import { VaelabError } from '../../errors.js';

/** What the explorer's latent plane shows, computed from the test-set posterior means. */
export interface Plane {
  dims: [number, number]; // the latent dimensions on the x and y axes (0-based)
  half: number; // both axes span [-half, half], in prior standard deviations
  start: number[]; // the mean of the test posterior means: the starting z and the value of every other dim
  points: { x: number[]; y: number[]; labels: number[] }; // test posterior means on the two dims
}

const DECIMALS = 1000; // 3 decimals: far below a pixel of the plane, and a third of the file size

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * The plane spans the prior's support (`range` standard deviations) and grows, in steps of 0.5, to cover
 * 99% of the test means on either axis: a model whose posteriors sit wider than the prior (early in
 * training, or with a small beta) still has its digits on the plane, and one outlier cannot zoom it out.
 */
export function explorerPlane(latents: Latents, dims: readonly [number, number], range: number): Plane {
  const d = latents.latentDim;
  const test = latents.splits['test'];
  if (test === undefined) throw new VaelabError('latents.json has no test split: the explorer draws the test means');
  for (const dim of dims) {
    if (dim >= d) throw new VaelabError(`explorer dims [${dims.join(', ')}]: the model has latent dims 0..${d - 1}`);
  }
  const [dx, dy] = dims;
  const n = test.count;
  const start = new Array<number>(d).fill(0);
  const x: number[] = [];
  const y: number[] = [];
  const absX = new Float64Array(n);
  const absY = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) start[k]! += test.mu[i * d + k]! / n;
    const px = test.mu[i * d + dx]!;
    const py = test.mu[i * d + dy]!;
    x.push(Math.round(px * DECIMALS) / DECIMALS);
    y.push(Math.round(py * DECIMALS) / DECIMALS);
    absX[i] = Math.abs(px);
    absY[i] = Math.abs(py);
  }
  absX.sort();
  absY.sort();
  const cover = Math.max(quantile(absX, 0.99), quantile(absY, 0.99));
  const half = Math.max(range, Math.ceil(cover * 2) / 2);
  return {
    dims: [dx, dy],
    half,
    start: start.map((v) => Math.round(v * DECIMALS) / DECIMALS),
    points: { x, y, labels: Array.from(test.labels) },
  };
}
