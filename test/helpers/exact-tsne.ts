import TSNE, { type NdArray } from 'tsne-js';
import jointProbabilities from 'tsne-js/dist/joint-probabilities.js';
import klDivergence from 'tsne-js/dist/kl-divergence.js';
import pairwiseDistances from 'tsne-js/dist/pairwise-distances.js';
import { createRng } from '../../src/data/batches.js';
import { momentumStep, progressTicker, SCHEDULE, scheduleFor } from '../../src/report/analysis/barnes-hut-tsne.js';
import { pcaInit, resolveEmbedOptions, type EmbedOptions } from '../../src/report/analysis/tsne-embedding.js';

/**
 * The exact t-SNE oracle the tests hold the Barnes-Hut embedding (src/report/analysis/tsne-embedding.ts)
 * against: tsne-js 1.0.3's own numerics (perplexity calibration in joint-probabilities, the Student-t KL
 * and its gradient in kl-divergence), O(n²) a step, driven with the same schedule as the Barnes-Hut
 * descent. It was the report's t-SNE until the Barnes-Hut one replaced it. Its TSNE.run() is not used:
 * - run() feeds plain Euclidean distances to the perplexity search, so its P uses exp(-beta |x - y|)
 *   rather than t-SNE's Gaussian exp(-beta |x - y|²); here the distances are squared first, as in
 *   van der Maaten's and scikit-learn's implementations.
 * - its optimiser copies scikit-learn 0.17's: the gain update tests the sign the wrong way round, and it
 *   stops once the KL moves less than 1e-6 in a step. Here: current scikit-learn's schedule.
 */

const { EXAGGERATION, MOMENTUM_EXPLORATION, MOMENTUM_FINAL, MIN_GRAD_NORM } = SCHEDULE;
const ALPHA = 1; // Student-t degrees of freedom: max(dim - 1, 1) for a 2D embedding, as tsne-js sets it

/** Exact t-SNE: returns n x 2 coordinates (row-major) for n points of `dim` values each (row-major). */
export async function embedExact(points: Float32Array, n: number, dim: number, options: EmbedOptions = {}): Promise<Float32Array> {
  // the same defaults and checks as the Barnes-Hut embedding this oracle is compared with
  const { perplexity, iterations, seed, init } = resolveEmbedOptions(points, n, dim, options);
  if (n === 0) return new Float32Array(0);

  const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));
  const model = new TSNE({ dim: 2, perplexity });
  withSeededRandom(seed, () => model.init({ data: rows, type: 'dense' }));
  const { inputData, outputEmbedding: y } = model;
  if (inputData === null || y === null) throw new Error('tsne-js init() left no input or embedding');
  // The optimiser below works on y.data directly; that needs the contiguous n x 2 layout init() makes.
  if (y.offset !== 0 || y.stride[0] !== 2 || y.stride[1] !== 1 || y.data.length !== n * 2) {
    throw new Error(`tsne-js embedding is not a contiguous ${n} x 2 array (stride ${y.stride.join(',')})`);
  }
  if (init === 'pca') pcaInit(points, n, dim, y.data);

  const P = exactAffinities(inputData, perplexity);

  const { exploration, learningRate } = scheduleFor(n, iterations);
  const tick = progressTicker(iterations, options.onProgress);
  const update = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);

  scale(P.data, EXAGGERATION);
  for (let it = 0; it < iterations; it++) {
    if (it === exploration) {
      scale(P.data, 1 / EXAGGERATION);
      // Each phase starts with fresh momentum and gains, as in scikit-learn (two gradient-descent calls).
      update.fill(0);
      gains.fill(1);
    }
    const momentum = it < exploration ? MOMENTUM_EXPLORATION : MOMENTUM_FINAL;
    const [cost, grad] = klDivergence(y, P, ALPHA);
    if (!Number.isFinite(cost)) throw new Error(`t-SNE diverged at iteration ${it} (KL ${cost})`);
    const norm = momentumStep(y.data, grad.data, update, gains, momentum, learningRate);
    if (it >= exploration && Math.sqrt(norm) < MIN_GRAD_NORM) break;
    await tick(it);
  }
  options.onProgress?.(iterations, iterations);
  return Float32Array.from(y.data);
}

/**
 * tsne-js draws its initial embedding with Math.random (randn.js, Box-Muller) and takes no seed, so
 * Math.random is replaced by a seeded generator for the duration of that synchronous call and restored
 * in `finally`. Only around synchronous code: across an await, other code would draw from it too.
 */
function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = createRng(seed);
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}


function scale(values: Float64Array, factor: number): void {
  for (let k = 0; k < values.length; k++) values[k]! *= factor;
}

/** Dense P from squared Euclidean distances (tsne-js's calibration). */
function exactAffinities(data: NdArray, perplexity: number): NdArray {
  const distances = pairwiseDistances(data, 'euclidean');
  for (let k = 0; k < distances.data.length; k++) distances.data[k]! *= distances.data[k]!;
  return jointProbabilities(distances, perplexity);
}

/**
 * KL(P || Q) of an embedding y (n x 2) of `points`, both exact and dense: P at `perplexity`, Q the
 * Student-t kernel on y. The number t-SNE minimises, whichever approximation produced y.
 */
export function exactKl(points: Float32Array, n: number, dim: number, y: Float32Array, perplexity: number): number {
  const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));
  const model = new TSNE({ dim: 2, perplexity });
  withSeededRandom(0, () => model.init({ data: rows, type: 'dense' }));
  const { inputData, outputEmbedding } = model;
  if (inputData === null || outputEmbedding === null) throw new Error('tsne-js init() left no input or embedding');
  outputEmbedding.data.set(y);
  const [cost] = klDivergence(outputEmbedding, exactAffinities(inputData, perplexity), ALPHA);
  return cost;
}
