import { join } from 'node:path';
import { column } from '../analysis/picks.js';
import { renderSvg } from './charts.js';
import type { SafeHtml } from './html.js';
import { rasterizeScatter, rasterScatterSpec, writeRgbPng } from './raster-scatter.js';
import { equalAspect, paddedRange } from './scatter.js';

export interface ClassPoints {
  xy: Float32Array; // [n, 2] row-major
  labels: Uint8Array;
}

/** A padded range over the x (axis 0) or y (axis 1) of several point sets, so their panels share one scale. */
export function sharedRange(sets: readonly Float32Array[], axis: 0 | 1): [number, number] {
  const values: number[] = [];
  for (const xy of sets) for (let i = axis; i < xy.length; i += 2) values.push(xy[i]!);
  return paddedRange(values);
}

export interface RasterPanel {
  outDir: string;
  file: string; // PNG written into outDir
  points: ClassPoints;
  domains: [[number, number], [number, number]];
  titles: [string, string];
  classNames: string[];
  side: number; // longer plot side in pixels
  title?: string;
  radius?: number;
  legend?: boolean;
}

/** Writes the scatter's PNG and returns the axes chart around it (equal units on x and y). */
export async function rasterPanel(p: RasterPanel): Promise<SafeHtml> {
  const [xDomain, yDomain] = p.domains;
  const { width, height } = equalAspect(xDomain, yDomain, p.side);
  const [x, y] = [column(p.points.xy, 2, 0), column(p.points.xy, 2, 1)];
  const radius = p.radius ?? (p.points.labels.length > 3000 ? 1.4 : 2.2);
  writeRgbPng(join(p.outDir, p.file), rasterizeScatter({ x, y, labels: p.points.labels, xDomain, yDomain, width, height, radius }), width, height);
  return renderSvg(rasterScatterSpec({ src: p.file, width, height, xDomain, yDomain, xTitle: p.titles[0], yTitle: p.titles[1], classNames: p.classNames, legend: p.legend !== false, ...(p.title === undefined ? {} : { title: p.title }) }));
}
