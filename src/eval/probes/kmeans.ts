import { createRng } from '../../data/batches.js';
import { checkCount, checkLabels } from './labelled-set.js';

/**
 * Clustering probes: does the latent space group the classes without being told them? k-means (Lloyd's
 * algorithm, k-means++ seeding, best of several seeded restarts by inertia), scored against the labels by
 * cluster accuracy (best one-to-one matching of clusters to classes) and normalized mutual information.
 */

export interface KmeansOptions {
  restarts?: number; // seeded k-means++ starts; the lowest inertia wins
  maxIter?: number; // Lloyd iterations per start, scikit-learn's max_iter
}

export interface KmeansResult {
  assignments: Int32Array; // [n] the nearest centroid of each point (the lowest index among equals)
  centroids: Float64Array; // [k, d] row-major
  inertia: number; // sum of squared distances of the points to their centroids
}

export function kmeans(x: Float32Array, n: number, d: number, k: number, seed: number, opts: KmeansOptions = {}): KmeansResult {
  checkCount(n, 1, 'n');
  checkCount(d, 1, 'd');
  if (x.length !== n * d) throw new RangeError(`expected x to hold ${n} x ${d} = ${n * d} values, found ${x.length}`);
  checkCount(k, 1, 'k');
  if (k > n) throw new RangeError(`expected k <= n = ${n}, found ${k}`);
  const restarts = opts.restarts ?? 4;
  const maxIter = opts.maxIter ?? 300;
  checkCount(restarts, 1, 'restarts');
  checkCount(maxIter, 1, 'maxIter');
  const rng = createRng(seed);
  let best: KmeansResult | undefined;
  for (let r = 0; r < restarts; r++) {
    const run = lloyd(x, n, d, k, seedPlusPlus(x, n, d, k, rng), maxIter);
    if (best === undefined || run.inertia < best.inertia) best = run;
  }
  return best!;
}

function sqDist(x: Float32Array, i: number, c: Float64Array, m: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = x[i * d + j]! - c[m * d + j]!;
    s += t * t;
  }
  return s;
}

/** k-means++ (Arthur & Vassilvitskii): each next centroid is a point drawn with probability ∝ D(x)^2. */
function seedPlusPlus(x: Float32Array, n: number, d: number, k: number, rng: () => number): Float64Array {
  const c = new Float64Array(k * d);
  const dist = new Float64Array(n).fill(Infinity);
  let pick = Math.floor(rng() * n);
  for (let m = 0; m < k; m++) {
    for (let j = 0; j < d; j++) c[m * d + j] = x[pick * d + j]!;
    let total = 0;
    let lastPositive = -1;
    for (let i = 0; i < n; i++) {
      dist[i] = Math.min(dist[i]!, sqDist(x, i, c, m, d));
      total += dist[i]!;
      if (dist[i]! > 0) lastPositive = i;
    }
    // every point already sits on a centroid (duplicates): any point will do
    if (lastPositive === -1) {
      pick = Math.floor(rng() * n);
      continue;
    }
    let u = rng() * total;
    pick = lastPositive; // where rounding leaves u >= 0 after the last point
    for (let i = 0; i < n; i++) {
      u -= dist[i]!;
      if (u < 0 && dist[i]! > 0) {
        pick = i;
        break;
      }
    }
  }
  return c;
}

/**
 * Lloyd's iterations from the given centroids until no assignment changes. An emptied cluster takes the
 * worst-fitted point; with fewer distinct points than clusters some cluster ends empty all the same.
 */
function lloyd(x: Float32Array, n: number, d: number, k: number, c: Float64Array, maxIter: number): KmeansResult {
  const assignments = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const counts = new Int32Array(k);
  let inertia = 0;
  for (let it = 0; it < maxIter; it++) {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let m = 0; m < k; m++) {
        const s = sqDist(x, i, c, m, d);
        if (s < bestD) [best, bestD] = [m, s];
      }
      if (assignments[i] !== best) changed++;
      assignments[i] = best;
      dist[i] = bestD;
      inertia += bestD;
    }
    // stop with centroids and assignments that agree: the assignments are the nearest to these centroids
    if (changed === 0 || it === maxIter - 1) break;
    c.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const m = assignments[i]!;
      counts[m]!++;
      for (let j = 0; j < d; j++) c[m * d + j]! += x[i * d + j]!;
    }
    for (let m = 0; m < k; m++) if (counts[m] === 0) relocate(x, d, c, counts, assignments, dist, m);
    for (let m = 0; m < k; m++) for (let j = 0; j < d; j++) c[m * d + j]! /= counts[m]!;
  }
  return { assignments, centroids: c, inertia };
}

/** Moves the point farthest from its centroid (from a cluster of two or more) into the empty cluster m. */
function relocate(x: Float32Array, d: number, sums: Float64Array, counts: Int32Array, assignments: Int32Array, dist: Float64Array, m: number): void {
  let far = -1;
  for (let i = 0; i < dist.length; i++) if (counts[assignments[i]!]! > 1 && (far === -1 || dist[i]! > dist[far]!)) far = i;
  const old = assignments[far]!;
  for (let j = 0; j < d; j++) {
    sums[old * d + j]! -= x[far * d + j]!;
    sums[m * d + j] = x[far * d + j]!;
  }
  counts[old]!--;
  counts[m] = 1;
  assignments[far] = m; // now alone in m, so a second empty cluster takes another point
}

/**
 * The Hungarian (Kuhn-Munkres) algorithm with potentials, O(rows^2 cols) for rows <= cols: the assignment
 * of rows to distinct columns of least total cost. A cost matrix with more rows than columns is solved
 * transposed. Returns each row's column, or -1 for the rows left over when rows > cols.
 */
export function hungarian(cost: Float64Array, rows: number, cols: number): Int32Array {
  checkCount(rows, 0, 'rows');
  checkCount(cols, 0, 'cols');
  if (cost.length !== rows * cols) throw new RangeError(`expected a ${rows} x ${cols} cost matrix of ${rows * cols} values, found ${cost.length}`);
  for (let i = 0; i < cost.length; i++) if (!Number.isFinite(cost[i]!)) throw new RangeError(`expected finite costs, found ${cost[i]} at ${i}`);
  const flip = rows > cols;
  const [n, m] = flip ? [cols, rows] : [rows, cols];
  const a = (i: number, j: number) => (flip ? cost[j * cols + i]! : cost[i * cols + j]!);
  // 1-based rows and columns; column 0 is the virtual start of each augmenting path
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: the row matched to column j, 0 for none
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) [minv[j], way[j]] = [cur, j0];
        if (minv[j]! < delta) [delta, j1] = [minv[j]!, j];
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const match = new Int32Array(rows).fill(-1);
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    if (flip) match[j - 1] = p[j]! - 1;
    else match[p[j]! - 1] = j - 1;
  }
  return match;
}

/** [k, classes] counts of points in each (cluster, class) pair, after checking both labelings. */
function contingency(assignments: Int32Array, labels: Uint8Array | Int32Array, k: number, classes: number): Float64Array {
  checkCount(k, 1, 'k');
  checkCount(classes, 1, 'classes');
  checkLabels(assignments, assignments.length, k, 'assignments');
  checkLabels(labels, assignments.length, classes, 'labels');
  if (assignments.length === 0) throw new RangeError('expected at least one point, found none');
  const table = new Float64Array(k * classes);
  for (let i = 0; i < assignments.length; i++) table[assignments[i]! * classes + labels[i]!]!++;
  return table;
}

/** Accuracy after the one-to-one matching of clusters to classes that gets the most points right. */
export function clusterAccuracy(assignments: Int32Array, labels: Uint8Array | Int32Array, k: number, classes: number): number {
  const table = contingency(assignments, labels, k, classes);
  const match = hungarian(table.map((t) => -t), k, classes);
  let correct = 0;
  match.forEach((c, m) => (correct += c === -1 ? 0 : table[m * classes + c]!));
  return correct / assignments.length;
}

/**
 * Normalized mutual information I(U; V) / ((H(U) + H(V)) / 2), scikit-learn's average_method='arithmetic',
 * in nats (the ratio does not depend on the base). Two single-cluster labelings score 1, as in scikit-learn.
 */
export function nmi(assignments: Int32Array, labels: Uint8Array | Int32Array, k: number, classes: number): number {
  const table = contingency(assignments, labels, k, classes);
  const n = assignments.length;
  const rowSum = new Float64Array(k);
  const colSum = new Float64Array(classes);
  table.forEach((t, idx) => {
    rowSum[Math.floor(idx / classes)]! += t;
    colSum[idx % classes]! += t;
  });
  const entropy = (counts: Float64Array) => counts.reduce((h, c) => (c > 0 ? h - (c / n) * Math.log(c / n) : h), 0);
  const hU = entropy(rowSum);
  const hV = entropy(colSum);
  if (hU === 0 && hV === 0) return 1;
  let mi = 0;
  table.forEach((t, idx) => {
    if (t > 0) mi += (t / n) * Math.log((n * t) / (rowSum[Math.floor(idx / classes)]! * colSum[idx % classes]!));
  });
  // rounding can leave a tiny negative I for independent labelings; scikit-learn clips it the same way
  return Math.max(mi, 0) / ((hU + hV) / 2);
}
