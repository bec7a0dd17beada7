import type { SparseAffinities } from './tsne-affinities.js';

/**
 * t-SNE's attractive term over the sparse P. P is symmetric, so each pair is stored and computed once
 * (its upper half) and applied to both ends: half the loads and divisions of a pass over the full rows.
 */

/** The entries of P with column > row, in CSR form (P itself has both (i, j) and (j, i)). */
export function upperHalf(P: SparseAffinities): SparseAffinities {
  const n = P.rowStart.length - 1;
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let e = P.rowStart[i]!; e < P.rowStart[i + 1]!; e++) if (P.col[e]! > i) count++;
    rowStart[i + 1] = rowStart[i]! + count;
  }
  const col = new Int32Array(rowStart[n]!);
  const p = new Float64Array(rowStart[n]!);
  let out = 0;
  for (let i = 0; i < n; i++) {
    for (let e = P.rowStart[i]!; e < P.rowStart[i + 1]!; e++) {
      if (P.col[e]! <= i) continue;
      col[out] = P.col[e]!;
      p[out++] = P.p[e]!;
    }
  }
  return { rowStart, col, p };
}

/**
 * Adds sum_j p_ij w_ij (y_i - y_j) to force[2i], force[2i + 1] for every i, from the pairs of rows
 * fromRow .. toRow of the upper half (w_ij = 1 / (1 + |y_i - y_j|²)). Each pair also reaches row j,
 * so two threads splitting the rows need a force array each.
 */
export function attract(y: Float64Array, upper: SparseAffinities, force: Float64Array, fromRow: number, toRow: number): void {
  const { rowStart, col, p } = upper;
  for (let i = fromRow; i < toRow; i++) {
    const xi = y[2 * i]!;
    const yi = y[2 * i + 1]!;
    let ax = 0;
    let ay = 0;
    for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) {
      const j = col[e]!;
      const dx = xi - y[2 * j]!;
      const dy = yi - y[2 * j + 1]!;
      const pw = p[e]! / (1 + dx * dx + dy * dy);
      ax += pw * dx;
      ay += pw * dy;
      force[2 * j]! -= pw * dx;
      force[2 * j + 1]! -= pw * dy;
    }
    force[2 * i]! += ax;
    force[2 * i + 1]! += ay;
  }
}
