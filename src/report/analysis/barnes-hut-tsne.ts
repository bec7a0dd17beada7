import type { SparseAffinities } from './tsne-affinities.js';
import { upperHalf } from './tsne-attraction.js';
import { groupSplit } from './tsne-gradient.js';
import { repelGroups } from './tsne-repulsion.js';
import { Quadtree } from './tsne-quadtree.js';
import { helperShare, inlineShare, sharedFloat64, whileItPays, type SecondShare, type ShareBuffers } from './tsne-threads.js';

/**
 * Barnes-Hut t-SNE's gradient descent in 2D (van der Maaten 2014; scikit-learn's `method='barnes_hut'`):
 * the gradient 4 (F_attr - F_rep / Z) with the attraction summed over the sparse P exactly and the
 * repulsion from a quadtree, O(n log n) a step instead of O(n²). The schedule is current scikit-learn's:
 * P exaggerated 12x with momentum 0.5 for the first 250 steps (capped at a quarter of short runs, so they
 * still converge), then momentum 0.8, learning rate 'auto', delta-bar-delta gains, and each phase
 * starting with fresh momentum and gains (scikit-learn makes two gradient-descent calls).
 */

export interface DescentOptions {
  iterations: number; // gradient steps in all, exploration included
  theta: number; // Barnes-Hut accuracy: a cell is summarised when its width / distance < theta (0: exact)
  threads: number; // 1, or 2: a helper thread computes half of each gradient (the same embedding either way)
  onProgress?: (done: number, total: number) => void; // called between chunks and once at the end
}

/** The optimisation schedule (scikit-learn's), shared with the exact oracle the tests compare against. */
export const SCHEDULE = {
  EXAGGERATION: 12, // P is multiplied by this while clusters form (scikit-learn >= 0.22)
  EXPLORATION_ITERATIONS: 250, // scikit-learn's fixed exploration length...
  EXPLORATION_SHARE: 0.25, // ...capped at a quarter of the run so short runs still converge
  MOMENTUM_EXPLORATION: 0.5,
  MOMENTUM_FINAL: 0.8,
  GAIN_UP: 0.2, // delta-bar-delta: add while the step keeps its direction...
  GAIN_DOWN: 0.8, // ...multiply when it reverses
  MIN_GAIN: 0.01,
  MIN_GRAD_NORM: 1e-7, // converged (scikit-learn's min_grad_norm)
} as const;
const { EXAGGERATION, EXPLORATION_ITERATIONS, EXPLORATION_SHARE, MOMENTUM_EXPLORATION, MOMENTUM_FINAL, GAIN_UP, GAIN_DOWN, MIN_GAIN, MIN_GRAD_NORM } = SCHEDULE;
const GROUP_SIZE = 64; // points sharing one tree walk: ~2x faster than per-point walks at 10,000 points (16: 1.7x)
const CHUNK_MS = 50; // longest stretch between yields to the event loop

/** How long the exploration phase lasts and the step size, for n points and a run of `iterations`. */
export function scheduleFor(n: number, iterations: number): { exploration: number; learningRate: number } {
  return {
    exploration: Math.min(EXPLORATION_ITERATIONS, Math.floor(iterations * EXPLORATION_SHARE)),
    learningRate: Math.max(n / EXAGGERATION / 4, 50), // scikit-learn's learning_rate='auto'
  };
}

/**
 * One gradient-descent update of the layout `y` in place, with momentum and delta-bar-delta gains;
 * returns the squared norm of the gradient.
 */
export function momentumStep(y: Float64Array, grad: Float64Array, update: Float64Array, gains: Float64Array, momentum: number, learningRate: number): number {
  let norm = 0;
  for (let k = 0; k < grad.length; k++) {
    const gk = grad[k]!;
    // The last step still points against the gradient (downhill): lengthen it; it overshot: shorten it.
    gains[k] = update[k]! * gk < 0 ? gains[k]! + GAIN_UP : Math.max(gains[k]! * GAIN_DOWN, MIN_GAIN);
    norm += gk * gk;
    update[k] = momentum * update[k]! - learningRate * gains[k]! * gk;
    y[k]! += update[k]!;
  }
  return norm;
}

/**
 * Calls onProgress and yields to the event loop at most every CHUNK_MS, so progress can be logged and an
 * abort can land while a long embedding runs.
 */
export function progressTicker(iterations: number, onProgress: DescentOptions['onProgress']): (it: number) => Promise<void> {
  let lastYield = performance.now();
  return async (it) => {
    if (performance.now() - lastYield < CHUNK_MS) return;
    onProgress?.(it + 1, iterations);
    // setImmediate, not a resolved promise: I/O callbacks (a progress bar's write) run before it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    lastYield = performance.now();
  };
}

/** Moves the n x 2 layout `y` (row-major, the initial embedding on entry) down the KL gradient in place. */
export async function descend(y: Float64Array, n: number, P: SparseAffinities, options: DescentOptions): Promise<void> {
  const { iterations, theta } = options;
  const { exploration, learningRate } = scheduleFor(n, iterations);
  const tick = progressTicker(iterations, options.onProgress);
  const threaded = options.threads > 1;
  const buffer = threaded ? sharedFloat64 : (length: number) => new Float64Array(length);
  const buffers: ShareBuffers = { y: buffer(n * 2), repulsion: buffer(n * 2), attraction: buffer(n * 2) };
  buffers.y.set(y);
  const grad = new Float64Array(n * 2);
  const update = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);
  const upper = upperHalf(P);
  const step = { tree: new Quadtree(threaded), theta, buffers };
  const inline = inlineShare(step.tree, upper, theta, buffers);
  const second = threaded ? whileItPays(await helperShare(step.tree, upper, theta, buffers), inline) : inline;
  try {
    for (let it = 0; it < iterations; it++) {
      if (it === exploration) {
        update.fill(0);
        gains.fill(1);
      }
      const exaggeration = it < exploration ? EXAGGERATION : 1;
      const momentum = it < exploration ? MOMENTUM_EXPLORATION : MOMENTUM_FINAL;
      gradient(step, n, exaggeration, second, grad);
      const norm = momentumStep(buffers.y, grad, update, gains, momentum, learningRate);
      if (!Number.isFinite(norm)) throw new Error(`t-SNE diverged at iteration ${it} (gradient norm ${Math.sqrt(norm)})`);
      if (it >= exploration && Math.sqrt(norm) < MIN_GRAD_NORM) break;
      await tick(it);
    }
  } finally {
    await second.close();
  }
  y.set(buffers.y);
  options.onProgress?.(iterations, iterations);
}

interface Step {
  tree: Quadtree;
  theta: number;
  buffers: ShareBuffers;
}

/** dKL/dy into `grad`: 4 (exaggeration x sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij² (y_i - y_j) / Z). */
function gradient(step: Step, n: number, exaggeration: number, second: SecondShare, grad: Float64Array): void {
  const { tree, theta } = step;
  const { y, repulsion, attraction } = step.buffers;
  second.begin();
  tree.build(y, n, GROUP_SIZE);
  const g = groupSplit(tree, n);
  second.repel({ fromGroup: g, toGroup: tree.groups });
  const first = repelGroups(y, tree, theta, repulsion, 0, g);
  const inverseZ = 1 / Math.max(first + second.finish(), Number.MIN_VALUE);
  for (let k = 0; k < 2 * n; k++) grad[k] = 4 * (exaggeration * attraction[k]! - repulsion[k]! * inverseZ);
}
