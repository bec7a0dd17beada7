import { availableParallelism } from 'node:os';
import { createRng } from '../../data/batches.js';
import { descend } from './barnes-hut-tsne.js';
import { pca2 } from './pca.js';
import { sparseAffinities } from './tsne-affinities.js';

/**
 * t-SNE to 2D: the one seam `(points, options) -> embedding` the report calls, so another implementation
 * (native, multi-threaded) can replace this file without touching the stages.
 *
 * Barnes-Hut t-SNE on typed arrays: sparse affinities (tsne-affinities.ts), a quadtree walked once per
 * group of nearby points (tsne-quadtree.ts, tsne-repulsion.ts), the attraction over P's upper half
 * (tsne-attraction.ts), and from THREADED_POINTS up a helper thread for half of each gradient
 * (tsne-threads.ts), with the same result as one thread. The whole 10,000-image test set takes ~15-20 s on
 * one thread, against 31-58 s for scikit-learn's TSNE here (bench/tsne.ts measures both). The exact tsne-js path
 * survives as the tests' oracle (test/helpers/exact-tsne.ts), with the same schedule, so the two are
 * compared like for like. Initialisation is PCA (scikit-learn's default since 1.2): the first two
 * principal coordinates scaled to standard deviation 1e-4.
 */

export interface EmbedOptions {
  perplexity?: number; // effective number of neighbours; must be below n
  iterations?: number; // gradient steps in all, exploration included
  theta?: number; // Barnes-Hut accuracy, 0 (exact repulsion) to ~1; 0.5 as in scikit-learn and bhtsne
  seed?: number; // drives the random initial embedding; PCA initialisation does not need it
  init?: 'pca' | 'random'; // 'random': N(0, 1e-4²), seeded
  threads?: number; // 1 or 2 (more count as 2); default 2 from THREADED_POINTS up where there are 2 cores
  onProgress?: (done: number, total: number) => void; // called between chunks and once at the end
}

export const EMBED_DEFAULTS = {
  perplexity: 30, // scikit-learn default
  iterations: 1000, // scikit-learn default
  theta: 0.5, // scikit-learn's angle
  seed: 0,
  init: 'pca',
} as const;

/** From here up a helper thread pays for its start (~0.2 s); below, one thread does it all. */
export const THREADED_POINTS = 2000;

export const INIT_STD = 1e-4; // initial spread: small, so early exaggeration shapes the clusters

/** The options with their defaults filled in, checked against the points (for n > 0: perplexity < n). */
export function resolveEmbedOptions(points: Float32Array, n: number, dim: number, options: EmbedOptions) {
  const resolved = {
    perplexity: options.perplexity ?? EMBED_DEFAULTS.perplexity,
    iterations: options.iterations ?? EMBED_DEFAULTS.iterations,
    theta: options.theta ?? EMBED_DEFAULTS.theta,
    seed: options.seed ?? EMBED_DEFAULTS.seed,
    init: options.init ?? EMBED_DEFAULTS.init,
  };
  const { perplexity, iterations, theta } = resolved;
  if (points.length !== n * dim) throw new RangeError(`embed: expected ${n} x ${dim} = ${n * dim} values, got ${points.length}`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`embed: iterations must be a positive integer, got ${iterations}`);
  if (!(theta >= 0)) throw new RangeError(`embed: theta must be >= 0, got ${theta}`);
  if (n > 0 && !(perplexity > 0 && perplexity < n)) {
    throw new RangeError(`embed: perplexity must be in (0, n = ${n}), got ${perplexity}; use more points or a lower perplexity`);
  }
  return resolved;
}

/** Returns n x 2 coordinates (row-major) for n points of `dim` values each (row-major). */
export async function embed(points: Float32Array, n: number, dim: number, options: EmbedOptions = {}): Promise<Float32Array> {
  const { perplexity, iterations, theta, seed, init } = resolveEmbedOptions(points, n, dim, options);
  if (n === 0) return new Float32Array(0);
  const y = randomInit(n, seed);
  if (init === 'pca') pcaInit(points, n, dim, y);
  const P = sparseAffinities(points, n, dim, perplexity);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) throw new RangeError(`embed: threads must be a positive integer, got ${options.threads}`);
  const threads = Math.min(2, options.threads ?? (n >= THREADED_POINTS && availableParallelism() > 1 ? 2 : 1));
  await descend(y, n, P, { iterations, theta, threads, onProgress: options.onProgress });
  return Float32Array.from(y);
}

/** n x 2 draws from N(0, INIT_STD²) (Box-Muller on the seeded generator). */
function randomInit(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const y = new Float64Array(n * 2);
  for (let k = 0; k < n * 2; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng())) * INIT_STD;
    const angle = 2 * Math.PI * rng();
    y[k] = r * Math.cos(angle);
    y[k + 1] = r * Math.sin(angle);
  }
  return y;
}

/**
 * Overwrites `out` (n x 2) with the points' first two principal coordinates scaled so the first has
 * standard deviation INIT_STD, as scikit-learn does. With no spread to scale (identical points) the
 * seeded random draw already in `out` is kept.
 */
export function pcaInit(points: Float32Array, n: number, dim: number, out: Float64Array): void {
  const { projected } = pca2(points, n, dim);
  let sumSq = 0;
  for (let i = 0; i < n; i++) sumSq += projected[i * 2]! ** 2; // projected coordinates have mean 0
  const std = Math.sqrt(sumSq / n);
  if (!(std > 0)) return;
  for (let k = 0; k < n * 2; k++) out[k] = (projected[k]! / std) * INIT_STD;
}
