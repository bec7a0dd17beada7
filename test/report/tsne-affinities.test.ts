import { describe, expect, it } from 'vitest';
import { calibrateRow, nearestNeighbours, neighbourCount, sparseAffinities } from '../../src/report/analysis/tsne-affinities.js';
import { attract, upperHalf } from '../../src/report/analysis/tsne-attraction.js';
import { Quadtree } from '../../src/report/analysis/tsne-quadtree.js';
import { repelGroups } from '../../src/report/analysis/tsne-repulsion.js';
import { createRng } from '../../src/data/batches.js';
import { gaussianClusters } from '../helpers/tsne-quality.js';

const { points, n, dim } = gaussianClusters(120, 6, 3, 6, 5);

describe('sparse t-SNE affinities', () => {
  it('finds the same nearest neighbours as a full sort', () => {
    const x = Float64Array.from(points);
    const k = 7;
    const { index, sqDistance } = nearestNeighbours(x, n, dim, k);
    for (const i of [0, 17, 119]) {
      const d = Array.from({ length: n }, (_, j) => (j === i ? Infinity : Array.from({ length: dim }, (_, a) => (x[i * dim + a]! - x[j * dim + a]!) ** 2).reduce((s, v) => s + v, 0)));
      const want = d.map((v, j) => [v, j] as const).sort((a, b) => a[0] - b[0]).slice(0, k);
      const got = Array.from(index.subarray(i * k, (i + 1) * k)).map((j, e) => [sqDistance[i * k + e]!, j] as const).sort((a, b) => a[0] - b[0]);
      expect(got.map(([, j]) => j)).toEqual(want.map(([, j]) => j));
      got.forEach(([v], e) => expect(v).toBeCloseTo(want[e]![0], 9));
    }
  });

  it('is symmetric, sums to 1, keeps 3 x perplexity + 1 neighbours, and each row has the asked perplexity', () => {
    const perplexity = 10;
    const { rowStart, col, p } = sparseAffinities(points, n, dim, perplexity);
    expect(neighbourCount(n, perplexity)).toBe(31);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    const at = (i: number, j: number): number => {
      for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) if (col[e] === j) return p[e]!;
      return 0;
    };
    for (let i = 0; i < n; i++) {
      const cols = Array.from(col.subarray(rowStart[i]!, rowStart[i + 1]!));
      expect(new Set(cols).size).toBe(cols.length); // no duplicate entries
      expect(cols).not.toContain(i);
      expect(cols.length).toBeGreaterThanOrEqual(31);
      for (const j of cols) expect(at(j, i)).toBe(at(i, j));
    }
  });

  it('calibrates each row to the asked perplexity, whatever the distance scale', () => {
    const rng = createRng(4);
    for (const scale of [1e-3, 1, 1e4]) {
      const d = Float64Array.from({ length: 40 }, () => scale * (1 + 5 * rng()));
      const out = new Float64Array(40);
      calibrateRow(d, 12, out);
      expect(out.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      const entropy = -out.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);
      expect(Math.exp(entropy)).toBeCloseTo(12, 3);
      for (let j = 1; j < 40; j++) expect(Math.sign(out[j]! - out[0]!)).toBe(-Math.sign(d[j]! - d[0]!) || 0); // nearer, likelier
    }
  });

  it('rows far from everything still calibrate (no underflow to 0)', () => {
    const far = Float32Array.from(points, (v) => v * 1e4);
    const { p } = sparseAffinities(far, n, dim, 10);
    expect(p.every(Number.isFinite)).toBe(true);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });
});

describe('the attractive term', () => {
  it('from the upper half of P, split over two row ranges, equals the sum over full rows', () => {
    const P = sparseAffinities(points, n, dim, 10);
    const rng = createRng(3);
    const y = Float64Array.from({ length: 2 * n }, () => rng() - 0.5);
    const want = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      for (let e = P.rowStart[i]!; e < P.rowStart[i + 1]!; e++) {
        const j = P.col[e]!;
        const [dx, dy] = [y[2 * i]! - y[2 * j]!, y[2 * i + 1]! - y[2 * j + 1]!];
        const pw = P.p[e]! / (1 + dx * dx + dy * dy);
        want[2 * i]! += pw * dx;
        want[2 * i + 1]! += pw * dy;
      }
    }
    const upper = upperHalf(P);
    expect(upper.col.length * 2).toBe(P.col.length);
    const [a, b] = [new Float64Array(2 * n), new Float64Array(2 * n)];
    attract(y, upper, a, 0, 50);
    attract(y, upper, b, 50, n);
    for (let k = 0; k < 2 * n; k++) expect(a[k]! + b[k]!).toBeCloseTo(want[k]!, 14);
  });
});

describe('the Barnes-Hut quadtree', () => {
  const rng = createRng(9);
  const m = 300;
  const y = Float64Array.from({ length: 2 * m }, () => 10 * (rng() - 0.5));
  y[2] = y[0]!; // point 1 duplicates point 0
  y[3] = y[1]!;

  /** sum_j w_ij² (y_i - y_j) and sum_j w_ij over all j != i, directly. */
  function direct(i: number): { fx: number; fy: number; z: number; gross: number } {
    let [fx, fy, z, gross] = [0, 0, 0, 0];
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const [dx, dy] = [y[2 * i]! - y[2 * j]!, y[2 * i + 1]! - y[2 * j + 1]!];
      const w = 1 / (1 + dx * dx + dy * dy);
      [fx, fy, z, gross] = [fx + w * w * dx, fy + w * w * dy, z + w, gross + w * w * Math.hypot(dx, dy)];
    }
    return { fx, fy, z, gross };
  }

  it('theta 0 gives the exact repulsion; theta 0.5 stays within a few percent, whatever the group size', () => {
    const tree = new Quadtree();
    const want = Array.from({ length: m }, (_, i) => direct(i));
    const wantZ = want.reduce((s, d) => s + d.z, 0);
    for (const groupSize of [1, 7, 64, m]) {
      tree.build(y, m, groupSize);
      // Every point in exactly one group.
      expect(Array.from(tree.order.subarray(0, m)).sort((a, b) => a - b)).toEqual(Array.from({ length: m }, (_, i) => i));
      expect(tree.groupStart[tree.groups]).toBe(m);
      for (const [theta, tolerance] of [[0, 1e-9], [0.5, 0.03]] as const) {
        const force = new Float64Array(2 * m);
        const z = repelGroups(y, tree, theta, force, 0, tree.groups);
        expect(Math.abs(z - wantZ) / wantZ).toBeLessThanOrEqual(tolerance);
        for (let i = 0; i < m; i++) {
          // Relative to the sum of the forces' sizes: the net force can nearly cancel, and its error need not.
          expect(Math.hypot(force[2 * i]! - want[i]!.fx, force[2 * i + 1]! - want[i]!.fy) / want[i]!.gross).toBeLessThanOrEqual(tolerance);
        }
      }
    }
    // Two halves of the groups add up to the whole.
    tree.build(y, m, 7);
    const half = tree.groups >> 1;
    const [a, b, all] = [new Float64Array(2 * m), new Float64Array(2 * m), new Float64Array(2 * m)];
    const split = repelGroups(y, tree, 0.5, a, 0, half) + repelGroups(y, tree, 0.5, b, half, tree.groups);
    expect(split).toBeCloseTo(repelGroups(y, tree, 0.5, all, 0, tree.groups), 9);
    for (let k = 0; k < 2 * m; k++) expect(a[k]! + b[k]!).toBeCloseTo(all[k]!, 12);
  });
});
