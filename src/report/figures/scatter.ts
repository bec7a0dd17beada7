import type { TopLevelSpec } from 'vega-lite';
import { CLASS_COLOURS } from './palette.js';

export interface ScatterInput {
  x: Float32Array | number[];
  y: Float32Array | number[];
  labels: Uint8Array | number[];
  classNames: string[];
  xTitle: string;
  yTitle: string;
  size?: number; // longer plot side in pixels
  pointSize?: number; // area in square pixels
}

/** A padded [lo, hi] of the finite values (a unit range around a single value). */
export function paddedRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  if (!Number.isFinite(lo)) return [-1, 1];
  const pad = Math.max(0.5, (hi - lo) * 0.04);
  return [lo - pad, hi + pad];
}

/**
 * Plot sizes that make one unit as long on x as on y (shapes and distances stay true), the longer side
 * `side` pixels and the shorter at least a third of it.
 */
export function equalAspect(x: [number, number], y: [number, number], side: number): { width: number; height: number } {
  const [w, h] = [x[1] - x[0], y[1] - y[0]];
  const ratio = Math.min(3, Math.max(1 / 3, h / w));
  return ratio <= 1 ? { width: side, height: Math.round(side * ratio) } : { width: Math.round(side / ratio), height: side };
}

/** Points coloured by class with the report's fixed class colours and a legend of every class. */
export function scatterSpec(s: ScatterInput): TopLevelSpec {
  const values = Array.from(s.labels, (label, i) => ({ x: s.x[i] ?? 0, y: s.y[i] ?? 0, label: s.classNames[label] ?? String(label) }));
  const [xd, yd] = [paddedRange(s.x), paddedRange(s.y)];
  return {
    ...equalAspect(xd, yd, s.size ?? 460),
    data: { values },
    mark: { type: 'circle', size: s.pointSize ?? 14, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', scale: { domain: xd, nice: false, zero: false }, axis: { title: s.xTitle, grid: true } },
      y: { field: 'y', type: 'quantitative', scale: { domain: yd, nice: false, zero: false }, axis: { title: s.yTitle, grid: true } },
      color: {
        field: 'label',
        type: 'nominal',
        scale: { domain: s.classNames, range: CLASS_COLOURS.slice(0, s.classNames.length) },
        legend: { title: 'class', symbolOpacity: 1 },
      },
    },
  };
}
