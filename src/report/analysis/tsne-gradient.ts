import type { SparseAffinities } from './tsne-affinities.js';
import { attract } from './tsne-attraction.js';
import type { Quadtree } from './tsne-quadtree.js';
import { repelGroups } from './tsne-repulsion.js';

/**
 * The gradient of one Barnes-Hut step, always cut into the same two shares, whether one thread computes
 * both or a helper thread takes the second (tsne-threads.ts): the same sums in the same order either way,
 * so an embedding does not depend on how many cores computed it.
 */

/** One share: a range of the tree's groups (repulsion) and a range of P's upper-half rows (attraction). */
export interface Share {
  fromGroup: number;
  toGroup: number;
  fromRow: number;
  toRow: number;
}

/** The row that splits the upper half's entries, so each share gets half the attraction's work. */
export function rowSplit(upper: SparseAffinities): number {
  const rows = upper.rowStart.length - 1;
  const half = upper.rowStart[rows]! / 2;
  let [lo, hi] = [0, rows];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (upper.rowStart[mid]! < half) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first group at or past the middle point of the tree order, so each share repels half the points. */
export function groupSplit(tree: Quadtree, n: number): number {
  let g = 0;
  while (g < tree.groups && tree.groupStart[g]! < n / 2) g++;
  return g;
}

/**
 * Computes one share: the repulsion on its groups' points into `repulsion` (the other share writes the
 * other points), its rows' attraction into its own `attraction` (zeroed here, since each pair also
 * reaches a row of the other share); returns its part of Z.
 */
export function computeShare(y: Float64Array, tree: Quadtree, upper: SparseAffinities, theta: number, share: Share, repulsion: Float64Array, attraction: Float64Array): number {
  const z = repelGroups(y, tree, theta, repulsion, share.fromGroup, share.toGroup);
  attraction.fill(0);
  attract(y, upper, attraction, share.fromRow, share.toRow);
  return z;
}
