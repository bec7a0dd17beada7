import { join } from 'node:path';
import { renderSvg } from './charts.js';
import { gridSpec } from './grid-figure.js';
import type { SafeHtml } from './html.js';
import { writeTiles } from './images.js';

export interface DigitRows {
  outDir: string;
  file: string; // the PNG, relative to outDir
  rows: Float32Array[]; // one entry per row, each the same images-per-row count of height * width pixels
  rowLabels: string[];
  xLabels: string[]; // one per column
  xTitle: string;
  image: { height: number; width: number };
  scale: number;
  rowLabelLimit?: number; // pixels before a row label is cut short (vega's default is 180)
}

/** Rows of digits (originals over reconstructions) tiled into one PNG under axes that name every row and column. */
export async function digitRowsFigure(d: DigitRows): Promise<SafeHtml> {
  const cols = d.xLabels.length;
  const perRow = d.rows[0]?.length ?? 0;
  const all = new Float32Array(perRow * d.rows.length);
  d.rows.forEach((r, i) => all.set(r, i * perRow));
  const gap = 4;
  const size = writeTiles(join(d.outDir, d.file), all, cols * d.rows.length, { cols, scale: d.scale, gap, size: d.image });
  const spec = gridSpec({ src: d.file, ...size, cols, rows: d.rows.length, tile: d.image.width * d.scale, gap, xLabels: d.xLabels, yLabels: d.rowLabels, xTitle: d.xTitle, yTitle: '' });
  return renderSvg(d.rowLabelLimit === undefined ? spec : { ...spec, config: { axisY: { labelLimit: d.rowLabelLimit } } });
}
