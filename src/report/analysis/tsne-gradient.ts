import type { Quadtree } from './tsne-quadtree.js';

/**
 * How one Barnes-Hut step's gradient is shared between two threads (tsne-threads.ts): the attraction
 * needs only the layout, so the second thread computes all of it while the first builds the tree; then
 * each repels half the points, the first the groups before `groupSplit`, the second the rest. One thread
 * alone does the same sums in the same order, so an embedding does not depend on how many cores made it.
 */

/** The second thread's groups of the tree (repulsion). */
export interface Share {
  fromGroup: number;
  toGroup: number;
}

/** The first group at or past the middle point of the tree order, so each thread repels half the points. */
export function groupSplit(tree: Quadtree, n: number): number {
  let g = 0;
  while (g < tree.groups && tree.groupStart[g]! < n / 2) g++;
  return g;
}
