/**
 * The Barnes-Hut quadtree for t-SNE's repulsive forces, in pooled typed arrays: nodes are indices, a
 * node's four children sit together from childBase[node], and one instance is rebuilt in place every
 * iteration, so the hot loop allocates nothing. A cell far enough away (its width over its distance
 * below theta, scikit-learn's criterion) stands in for all its points at their centre of mass.
 */

const MAX_DEPTH = 60; // below this, points closer than ~1e-18 of the layout's width share a leaf
const INITIAL_NODES = 1024;

export class Quadtree {
  private childBase = new Int32Array(INITIAL_NODES); // first of four children; -1: a leaf
  private count = new Int32Array(INITIAL_NODES); // points in the cell
  private point = new Int32Array(INITIAL_NODES); // a leaf's (first) point
  private comX = new Float64Array(INITIAL_NODES); // sums while building, centres of mass after
  private comY = new Float64Array(INITIAL_NODES);
  private sqWidth = new Float64Array(INITIAL_NODES); // the cell's side, squared
  private stack = new Int32Array(4 * MAX_DEPTH + 8); // depth-first traversal: at most 3 siblings waiting a level
  private used = 0;

  /** Rebuilds the tree over the n points of y (n x 2, row-major). */
  build(y: Float64Array, n: number): void {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, y[2 * i]!);
      maxX = Math.max(maxX, y[2 * i]!);
      minY = Math.min(minY, y[2 * i + 1]!);
      maxY = Math.max(maxY, y[2 * i + 1]!);
    }
    // A square a little larger than the points, so none sits on the outer boundary.
    const half = (Math.max(maxX - minX, maxY - minY, 1e-12) / 2) * (1 + 1e-6);
    const cx = (minX + maxX) / 2;
    const cy = (minY + maxY) / 2;
    this.used = 0;
    this.allocate(1, half * 2);
    for (let i = 0; i < n; i++) this.insert(y, i, cx, cy, half);
    for (let node = 0; node < this.used; node++) {
      const c = this.count[node]!;
      if (c > 0) {
        this.comX[node]! /= c;
        this.comY[node]! /= c;
      }
    }
  }

  /**
   * Repulsion on point i of `points` (the layout the tree was built on): adds sum_j w_ij² (y_i - y_j) to force[2i], force[2i + 1] and returns
   * sum_j w_ij (this point's share of Z), where w_ij = 1 / (1 + |y_i - y_j|²), j over all other points.
   */
  repel(points: Float64Array, i: number, theta: number, force: Float64Array): number {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    const sqTheta = theta * theta;
    const stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    let z = 0;
    let fx = 0;
    let fy = 0;
    while (top > 0) {
      const node = stack[--top]!;
      const c = this.count[node]!;
      if (c === 0) continue;
      const dx = x - this.comX[node]!;
      const dy = y - this.comY[node]!;
      const d2 = dx * dx + dy * dy;
      const base = this.childBase[node]!;
      const first = this.point[node]!;
      if (base < 0 && (first === i || (points[2 * first] === x && points[2 * first + 1] === y))) {
        z += c - 1; // the leaf holding i: its duplicates add w = 1 each and no force
        continue;
      }
      if (base < 0 || this.sqWidth[node]! < sqTheta * d2) {
        const w = 1 / (1 + d2);
        const cw = c * w;
        z += cw;
        fx += cw * w * dx;
        fy += cw * w * dy;
        continue;
      }
      for (let q = 0; q < 4; q++) stack[top++] = base + q;
    }
    force[2 * i]! += fx;
    force[2 * i + 1]! += fy;
    return z;
  }

  private insert(points: Float64Array, i: number, cx: number, cy: number, half: number): void {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    let node = 0;
    for (let depth = 0; ; depth++) {
      const base = this.childBase[node]!;
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
      if (this.count[node] === 0) {
        this.point[node] = i;
        this.add(node, x, y);
        return;
      }
      const first = this.point[node]!;
      const fx = points[2 * first]!; // a leaf's points all sit where its first one does
      const fy = points[2 * first + 1]!;
      if ((fx === x && fy === y) || depth >= MAX_DEPTH) {
        this.add(node, x, y); // a duplicate (or as good as one) joins the leaf
        return;
      }
      // Split: the leaf's points move to the child their position falls in; i goes on down from here.
      const children = this.allocate(4, half);
      this.childBase[node] = children;
      const child = children + (fx >= cx ? 1 : 0) + (fy >= cy ? 2 : 0);
      this.point[child] = first;
      this.count[child] = this.count[node]!;
      this.comX[child] = this.comX[node]!;
      this.comY[child] = this.comY[node]!;
      this.point[node] = -1;
      depth--; // the same node again, now internal
    }
  }

  private add(node: number, x: number, y: number): void {
    this.count[node]!++;
    this.comX[node]! += x;
    this.comY[node]! += y;
  }

  /** `k` fresh leaves of side `width`; returns the first one's index, growing the pools when full. */
  private allocate(k: number, width: number): number {
    if (this.used + k > this.count.length) this.grow(Math.max(2 * this.count.length, this.used + k));
    const first = this.used;
    for (let node = first; node < first + k; node++) {
      this.childBase[node] = -1;
      this.count[node] = 0;
      this.point[node] = -1;
      this.comX[node] = 0;
      this.comY[node] = 0;
      this.sqWidth[node] = width * width;
    }
    this.used += k;
    return first;
  }

  private grow(size: number): void {
    const extend = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.childBase = extend(this.childBase);
    this.count = extend(this.count);
    this.point = extend(this.point);
    this.comX = extend(this.comX);
    this.comY = extend(this.comY);
    this.sqWidth = extend(this.sqWidth);
  }
}
