import { ellipse, type Mat2, type Vec2 } from '../analysis/class-gaussians.js';

/** One vertex of a closed outline, as a row for a vega line mark (detail: key, order: i). */
export interface OutlinePoint {
  key: string; // one closed line per (gaussian, sigma)
  sigma: string; // '1σ', '2σ', ...
  i: number; // drawing order along the line
  x: number;
  y: number;
  label: string;
}

/** Closed outlines of N(mean, cov) at each of `sigmas` standard deviations; ellipse() already repeats the first point last. */
export function ellipseOutlines(mean: Vec2, cov: Mat2, label: string, sigmas: readonly number[], segments: number): OutlinePoint[] {
  return sigmas.flatMap((k) => ellipse(mean, cov, k, segments).map(([x, y], i) => ({ key: `${label}/${k}`, sigma: `${k}σ`, i, x, y, label })));
}
