import { join } from 'node:path';
import type { Vae } from '../../../models/family.js';
import { decodeZ, repeatLabel } from '../../decode.js';
import { renderSvg } from '../../figures/charts.js';
import { fmt, zName } from '../../figures/format.js';
import { gridSpec } from '../../figures/grid-figure.js';
import type { SafeHtml } from '../../figures/html.js';
import { writeTiles } from '../../figures/images.js';

/** A plane of z values: xs along dims[0] (left to right), ys along dims[1] (top to bottom), the rest from base. */
export interface LatentGrid {
  xs: number[];
  ys: number[];
  dims: [number, number];
  base: Float32Array; // latentDim values: the point the grid's other coordinates are taken from
}

/** Row-major [ys.length * xs.length, latentDim] z values of the grid. */
export function gridZ(g: LatentGrid): Float32Array {
  const d = g.base.length;
  const z = new Float32Array(g.xs.length * g.ys.length * d);
  g.ys.forEach((yv, r) =>
    g.xs.forEach((xv, c) => {
      const at = (r * g.xs.length + c) * d;
      z.set(g.base, at);
      z[at + g.dims[0]] = xv;
      z[at + g.dims[1]] = yv;
    }),
  );
  return z;
}

/** n values evenly spaced by `step`, centred on `centre`. */
export function around(centre: number, n: number, step: number): number[] {
  return Array.from({ length: n }, (_, i) => centre + (i - (n - 1) / 2) * step);
}

export interface GridDrawing {
  outDir: string;
  file: string;
  label: number | null; // the class given to a cvae's decoder
  scale: number;
  gap: number;
  annotate: boolean; // write each tile's (x, y) under it
}

/** Decodes the grid, writes its PNG and returns the SVG that lays axes (and annotations) over it. */
export async function drawGrid(vae: Vae, g: LatentGrid, d: GridDrawing): Promise<SafeHtml> {
  const count = g.xs.length * g.ys.length;
  const y = vae.spec.kind === 'cvae' ? repeatLabel(d.label ?? 0, count, vae.spec.numClasses) : null;
  const pixels = await decodeZ(vae, gridZ(g), count, y);
  const size = writeTiles(join(d.outDir, d.file), pixels, count, { cols: g.xs.length, scale: d.scale, gap: d.gap, size: { height: vae.spec.height, width: vae.spec.width } });
  const annotations = d.annotate ? g.ys.flatMap((yv) => g.xs.map((xv) => `(${fmt(xv)}, ${fmt(yv)})`)) : undefined;
  return renderSvg(
    gridSpec({
      src: d.file,
      ...size,
      cols: g.xs.length,
      rows: g.ys.length,
      tile: vae.spec.width * d.scale,
      gap: d.gap,
      xLabels: g.xs.map(fmt),
      yLabels: g.ys.map(fmt),
      xTitle: zName(g.dims[0]),
      yTitle: zName(g.dims[1]),
      annotations,
    }),
  );
}
