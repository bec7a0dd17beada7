import type { TopLevelSpec } from 'vega-lite';

/** A tiled picture of decoded digits (written by images.ts) and what its rows and columns mean. */
export interface GridFigure {
  src: string; // the PNG, relative to the report folder
  width: number; // PNG size in pixels
  height: number;
  cols: number;
  rows: number;
  tile: number; // one tile's side in pixels
  gap: number; // pixels between tiles
  xLabels: string[]; // one per column, left to right
  yLabels: string[] | null; // one per row, top to bottom; null: no y axis
  xTitle: string;
  yTitle: string;
  annotations?: string[]; // one per tile, row-major, written under the tile (needs a gap of ~14 px)
}

function bandAxis(labels: string[]) {
  // Labels come in through an expression literal: JSON string syntax is valid vega expression syntax.
  return { labelExpr: `${JSON.stringify(labels)}[datum.value]`, labelAngle: 0, labelOverlap: 'parity' as const, ticks: true, domain: false };
}

/** A picture filling the plot area from its top-left corner, unscaled: the layer other layers draw axes over. */
export function pictureLayer(src: string, width: number, height: number) {
  return {
    data: { values: [{ url: src }] },
    mark: { type: 'image' as const, width, height, align: 'left' as const, baseline: 'top' as const, aspect: false },
    encoding: { x: { value: 0 }, y: { value: 0 }, url: { field: 'url', type: 'nominal' as const } },
  };
}

/**
 * A vega-lite chart that lays the PNG under two band scales, one band per tile, so the axes of a real
 * plotting library label each row and column of the picture at its centre (the grid need not be evenly
 * spaced, as the inverse-CDF manifold grid is not).
 */
export function gridSpec(g: GridFigure): TopLevelSpec {
  const cells = [];
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) cells.push({ c, r, note: g.annotations?.[r * g.cols + c] ?? '' });
  }
  const paddingInner = g.gap / (g.tile + g.gap);
  const band = (n: number) => ({ type: 'band' as const, domain: Array.from({ length: n }, (_, i) => i), paddingInner, paddingOuter: 0 });
  return {
    width: g.width,
    height: g.height,
    layer: [
      pictureLayer(g.src, g.width, g.height),
      {
        data: { values: cells },
        mark: { type: 'text', dy: g.tile / 2 + 8, fontSize: 9, color: '#5b6474' },
        encoding: {
          // Annotations hang below their tiles: push the x axis below the last row's.
          x: { field: 'c', type: 'ordinal', scale: band(g.cols), axis: { ...bandAxis(g.xLabels), title: g.xTitle, offset: g.annotations === undefined ? 0 : g.gap } },
          y: { field: 'r', type: 'ordinal', scale: band(g.rows), axis: g.yLabels === null ? null : { ...bandAxis(g.yLabels), title: g.yTitle } },
          text: { field: 'note', type: 'nominal' },
        },
      },
    ],
  };
}
