/**
 * Types for the parts of tsne-js 1.0.3 (untyped CommonJS) that the exact t-SNE oracle (exact-tsne.ts) uses: the class,
 * for its input packing and initial embedding, and the three numeric modules its run() is built from.
 * Deep imports are deliberate (see exact-tsne.ts); the package has no "exports" map, so Node allows them.
 */

declare module 'tsne-js' {
  /** scijs ndarray: a strided view over `data`; tsne-js creates all of its arrays contiguous, row-major. */
  export interface NdArray {
    data: Float64Array;
    shape: number[];
    stride: number[];
    offset: number;
    size: number;
    get(...index: number[]): number;
  }

  export interface TsneConfig {
    dim?: number;
    perplexity?: number;
    earlyExaggeration?: number;
    learningRate?: number;
    nIter?: number;
    metric?: 'euclidean' | 'manhattan' | 'jaccard' | 'dice';
  }

  export default class TSNE {
    constructor(config?: TsneConfig);
    /** Packs `data` into inputData and draws outputEmbedding ~ N(0, 1e-4²) through Math.random. */
    init(options: { data: number[][]; type?: 'dense' | 'sparse' }): void;
    inputData: NdArray | null;
    outputEmbedding: NdArray | null;
  }
}

declare module 'tsne-js/dist/pairwise-distances.js' {
  import type { NdArray } from 'tsne-js';
  /** n x n distances between the rows of `data` (not squared, for 'euclidean'). */
  export default function pairwiseDistances(data: NdArray, metric: 'euclidean' | 'manhattan' | 'jaccard' | 'dice'): NdArray;
}

declare module 'tsne-js/dist/joint-probabilities.js' {
  import type { NdArray } from 'tsne-js';
  /** Symmetric P (sums to 1): per-row binary search for the kernel width giving `perplexity`. */
  export default function jointProbabilities(distances: NdArray, perplexity: number): NdArray;
}

declare module 'tsne-js/dist/kl-divergence.js' {
  import type { NdArray } from 'tsne-js';
  /** [KL(P || Q), dKL/dY] for embedding Y with a Student-t kernel of `alpha` degrees of freedom. */
  export default function klDivergence(embedding: NdArray, P: NdArray, alpha: number): [number, NdArray];
}
