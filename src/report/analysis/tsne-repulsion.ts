import type { Quadtree } from './tsne-quadtree.js';

/**
 * t-SNE's repulsive term by Barnes-Hut over groups of nearby points: for each group of the tree (built
 * by the caller), one walk gives the cells that group sees, and every point of the group sums over that
 * list. force[2i], force[2i + 1] receive sum_j w_ij² (y_i - y_j), with w_ij = 1 / (1 + |y_i - y_j|²);
 * the return value is sum_i sum_{j != i} w_ij (Z), over the groups from `fromGroup` to `toGroup`, so
 * two threads can share the groups of one tree.
 */
export function repelGroups(y: Float64Array, tree: Quadtree, theta: number, force: Float64Array, fromGroup: number, toGroup: number): number {
  const { order, groupStart } = tree;
  let z = 0;
  for (let g = fromGroup; g < toGroup; g++) {
    const start = groupStart[g]!;
    const end = groupStart[g + 1]!;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let k = start; k < end; k++) {
      const i = order[k]!;
      minX = Math.min(minX, y[2 * i]!);
      maxX = Math.max(maxX, y[2 * i]!);
      minY = Math.min(minY, y[2 * i + 1]!);
      maxY = Math.max(maxY, y[2 * i + 1]!);
    }
    const len = tree.interactions(minX, minY, maxX, maxY, theta);
    const list = tree.list;
    for (let k = start; k < end; k++) {
      const i = order[k]!;
      const px = y[2 * i]!;
      const py = y[2 * i + 1]!;
      let zi = 0;
      let fx = 0;
      let fy = 0;
      for (let e = 0; e < 3 * len; e += 3) {
        const dx = px - list[e]!;
        const dy = py - list[e + 1]!;
        const w = 1 / (1 + dx * dx + dy * dy);
        const cw = list[e + 2]! * w;
        zi += cw;
        fx += cw * w * dx;
        fy += cw * w * dy;
      }
      // The point's own leaf is in the list at distance 0: w = 1 for itself, and no force.
      z += zi - 1;
      force[2 * i] = fx;
      force[2 * i + 1] = fy;
    }
  }
  return z;
}
