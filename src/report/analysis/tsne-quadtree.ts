/**
 * The Barnes-Hut quadtree for t-SNE's repulsive forces, in pooled typed arrays rebuilt in place every
 * iteration, so the hot loop allocates nothing. Nodes are indices; a node's four children sit together
 * from child[node]; cell[4 node ..] holds its centre of mass, point count and squared side.
 *
 * The walk is per group, not per point (Barnes 1990): the points of a small subtree share one traversal,
 * and a cell is summarised when its width over its distance to the group's bounding box is below theta,
 * which is scikit-learn's per-point criterion for the group's nearest possible member, so no point is
 * approximated more coarsely than scikit-learn would. The walk yields an interaction list that the
 * group's points then sum over in a tight loop (tsne-repulsion.ts): far fewer walks, no branches in the sum.
 */

const MAX_DEPTH = 60; // below this, points closer than ~1e-18 of the layout's width share a leaf
const INITIAL_NODES = 1024;
const INITIAL_LIST = 1024; // interaction-list entries; grows on demand

/** What a walk reads: shareable with another thread when the tree was made with `shared`. */
export interface TreeArrays {
  child: Int32Array;
  cell: Float64Array;
  order: Int32Array;
  groupStart: Int32Array;
}

export class Quadtree {
  private child: Int32Array; // first of four children; -1: a leaf
  private cell: Float64Array; // comX, comY (sums while building), count, sqWidth
  private first: Int32Array; // a leaf's first point, or -1
  private next: Int32Array = new Int32Array(0); // per point: the next point of its leaf, or -1
  private stack = new Int32Array(4 * MAX_DEPTH + 8); // depth-first: at most 3 siblings wait a level
  private used = 0;
  private points = -1; // n of the last build
  /** The points in tree order; group g is order[groupStart[g] .. groupStart[g + 1]). */
  order: Int32Array = new Int32Array(0);
  groupStart: Int32Array = new Int32Array(1);
  groups = 0;
  /** Counts replacements of the TreeArrays (growth), so a thread walking a shared tree knows to refetch them. */
  generation = 0;
  /** The last walk's interactions: x, y and point count of each summarised cell or leaf. */
  list = new Float64Array(3 * INITIAL_LIST);

  /** shared: the TreeArrays live in SharedArrayBuffers, for helper threads (tsne-threads.ts). */
  constructor(private readonly shared = false) {
    this.child = this.int32(INITIAL_NODES);
    this.cell = this.float64(4 * INITIAL_NODES);
    this.first = new Int32Array(INITIAL_NODES);
  }

  get arrays(): TreeArrays {
    return { child: this.child, cell: this.cell, order: this.order, groupStart: this.groupStart };
  }

  /** Walks another thread's tree from now on (`interactions` only, with this instance's list and stack). */
  adopt(arrays: TreeArrays, groups: number): void {
    ({ child: this.child, cell: this.cell, order: this.order, groupStart: this.groupStart } = arrays);
    this.groups = groups;
  }

  /** Rebuilds the tree over the n points of y (n x 2, row-major), in groups of at most `groupSize`. */
  build(y: Float64Array, n: number, groupSize: number): void {
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]; // once a build: no hot path
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, y[2 * i]!);
      maxX = Math.max(maxX, y[2 * i]!);
      minY = Math.min(minY, y[2 * i + 1]!);
      maxY = Math.max(maxY, y[2 * i + 1]!);
    }
    // A square a little larger than the points, so none sits on the outer boundary.
    const half = (Math.max(maxX - minX, maxY - minY, 1e-12) / 2) * (1 + 1e-6);
    if (this.points !== n) {
      this.next = new Int32Array(n);
      this.order = this.int32(n);
      for (let i = 0; i < n; i++) this.order[i] = i;
      this.groupStart = this.int32(n + 1);
      this.points = n;
      this.generation++;
    }
    this.used = 0;
    this.allocate(1, half * 2);
    // In the last build's tree order: consecutive inserts then descend the same, recently touched paths
    // (the layout moves little between iterations), which takes a third off the build.
    const order = this.order;
    for (let k = 0; k < n; k++) this.insert(y, order[k]!, (minX + maxX) / 2, (minY + maxY) / 2, half);
    const cell = this.cell;
    for (let node = 0; node < this.used; node++) {
      const c = cell[4 * node + 2]!;
      if (c > 0) {
        cell[4 * node]! /= c;
        cell[4 * node + 1]! /= c;
      }
    }
    this.group(groupSize);
  }

  /**
   * Walks the tree for the box [minX, maxX] x [minY, maxY] and fills `list`; returns its entry count.
   * A leaf is always listed: the group's own points among them (at distance 0, the caller discounts).
   */
  interactions(minX: number, minY: number, maxX: number, maxY: number, theta: number): number {
    const { child, cell, stack } = this;
    const sqTheta = theta * theta;
    let list = this.list;
    let len = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top]!;
      const c = cell[4 * node + 2]!;
      if (c === 0) continue;
      const x = cell[4 * node]!;
      const y = cell[4 * node + 1]!;
      const base = child[node]!;
      if (base >= 0) {
        const dx = x < minX ? minX - x : x > maxX ? x - maxX : 0;
        const dy = y < minY ? minY - y : y > maxY ? y - maxY : 0;
        if (!(cell[4 * node + 3]! < sqTheta * (dx * dx + dy * dy))) {
          for (let q = 0; q < 4; q++) stack[top++] = base + q;
          continue;
        }
      }
      if (3 * len + 3 > list.length) {
        const grown = new Float64Array(list.length * 2);
        grown.set(list);
        this.list = list = grown;
      }
      list[3 * len] = x;
      list[3 * len + 1] = y;
      list[3 * len + 2] = c;
      len++;
    }
    return len;
  }

  /** Lays the points out in tree order and cuts it into the largest subtrees of at most groupSize points. */
  private group(groupSize: number): void {
    const { child, cell, first, next, order, groupStart, stack } = this;
    let out = 0;
    let groups = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top]!;
      const c = cell[4 * node + 2]!;
      if (c === 0) continue;
      if (c > groupSize && child[node]! >= 0) {
        for (let q = 3; q >= 0; q--) stack[top++] = child[node]! + q;
        continue;
      }
      groupStart[groups++] = out;
      // The subtree's points, depth-first on the stack above the pending siblings.
      const floor = top;
      stack[top++] = node;
      while (top > floor) {
        const m = stack[--top]!;
        if (child[m]! >= 0) {
          for (let q = 3; q >= 0; q--) stack[top++] = child[m]! + q;
          continue;
        }
        for (let i = first[m]!; i >= 0; i = next[i]!) order[out++] = i;
      }
    }
    groupStart[groups] = out;
    this.groups = groups;
  }

  private insert(points: Float64Array, i: number, cx: number, cy: number, half: number): void {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    const { cell } = this;
    let node = 0;
    for (let depth = 0; ; depth++) {
      const base = this.child[node]!;
      if (base >= 0) {
        this.add(node, x, y);
        const right = x >= cx;
        const up = y >= cy;
        half /= 2;
        cx += right ? half : -half;
        cy += up ? half : -half;
        node = base + (right ? 1 : 0) + (up ? 2 : 0);
        continue;
      }
      const head = this.first[node]!;
      if (head < 0) {
        this.first[node] = i;
        this.next[i] = -1;
        this.add(node, x, y);
        return;
      }
      const fx = points[2 * head]!; // a leaf's points all sit where its first one does
      const fy = points[2 * head + 1]!;
      if ((fx === x && fy === y) || depth >= MAX_DEPTH) {
        this.next[i] = head; // a duplicate (or as good as one) joins the leaf
        this.first[node] = i;
        this.add(node, x, y);
        return;
      }
      // Split: the leaf's points move to the child their position falls in; i goes on down from here.
      const children = this.allocate(4, half);
      this.child[node] = children;
      const to = children + (fx >= cx ? 1 : 0) + (fy >= cy ? 2 : 0);
      this.first[to] = head;
      this.first[node] = -1;
      for (let k = 0; k < 3; k++) cell[4 * to + k] = cell[4 * node + k]!;
      depth--; // the same node again, now internal
    }
  }

  private add(node: number, x: number, y: number): void {
    this.cell[4 * node]! += x;
    this.cell[4 * node + 1]! += y;
    this.cell[4 * node + 2]!++;
  }

  /** `k` fresh leaves of side `width`; returns the first one's index, growing the pools when full. */
  private allocate(k: number, width: number): number {
    if (this.used + k > this.child.length) this.grow(Math.max(2 * this.child.length, this.used + k));
    const first = this.used;
    const { child, cell } = this;
    for (let node = first; node < first + k; node++) {
      child[node] = -1;
      this.first[node] = -1;
      cell[4 * node] = cell[4 * node + 1] = cell[4 * node + 2] = 0;
      cell[4 * node + 3] = width * width;
    }
    this.used += k;
    return first;
  }

  private grow(size: number): void {
    const child = this.int32(size);
    child.set(this.child);
    const first = new Int32Array(size);
    first.set(this.first);
    const cell = this.float64(4 * size);
    cell.set(this.cell);
    [this.child, this.first, this.cell] = [child, first, cell];
    this.generation++;
  }

  private int32(length: number): Int32Array {
    return new Int32Array(this.shared ? new SharedArrayBuffer(4 * length) : new ArrayBuffer(4 * length));
  }

  private float64(length: number): Float64Array {
    return new Float64Array(this.shared ? new SharedArrayBuffer(8 * length) : new ArrayBuffer(8 * length));
  }
}
