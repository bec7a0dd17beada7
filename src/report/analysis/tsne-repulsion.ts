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
    // Two points at a time: each list entry is loaded once for both.
    let k = start;
    for (; k + 1 < end; k += 2) {
      const i = order[k]!;
      const j = order[k + 1]!;
      const ax = y[2 * i]!;
      const ay = y[2 * i + 1]!;
      const bx = y[2 * j]!;
      const by = y[2 * j + 1]!;
      let za = 0;
      let fax = 0;
      let fay = 0;
      let zb = 0;
      let fbx = 0;
      let fby = 0;
      for (let e = 0; e < 3 * len; e += 3) {
        const cx = list[e]!;
        const cy = list[e + 1]!;
        const c = list[e + 2]!;
        const dax = ax - cx;
        const day = ay - cy;
        const dbx = bx - cx;
        const dby = by - cy;
        const wa = 1 / (1 + dax * dax + day * day);
        const wb = 1 / (1 + dbx * dbx + dby * dby);
        const cwa = c * wa;
        const cwb = c * wb;
        za += cwa;
        zb += cwb;
        fax += cwa * wa * dax;
        fay += cwa * wa * day;
        fbx += cwb * wb * dbx;
        fby += cwb * wb * dby;
      }
      // Each point's own leaf is in the list at distance 0: w = 1 for itself, and no force.
      z += za - 1 + (zb - 1);
      force[2 * i] = fax;
      force[2 * i + 1] = fay;
      force[2 * j] = fbx;
      force[2 * j + 1] = fby;
    }
    if (k < end) z += repelOne(y, order[k]!, list, len, force);
  }
  return z;
}

/** The repulsion on point i from the first `len` entries of `list`; returns its part of Z. */
function repelOne(y: Float64Array, i: number, list: Float64Array, len: number, force: Float64Array): number {
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
  force[2 * i] = fx;
  force[2 * i + 1] = fy;
  return zi - 1;
}
