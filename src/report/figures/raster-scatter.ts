import { PNG } from 'pngjs';
import type { TopLevelSpec } from 'vega-lite';
import { createRng } from '../../data/batches.js';
import { pictureLayer } from './grid-figure.js';
import { CLASS_COLOURS } from './palette.js';
import { writeReportFile } from './write-file.js';

/**
 * A class-coloured scatter of thousands of points drawn as a PNG under real axes: an SVG of 10,000
 * circles is megabytes and slow to scroll, a picture of them is a few hundred kilobytes. The points are
 * painted in a seeded random order, so no class sits on top of the others by its label.
 */
export interface RasterScatterInput {
  x: Float32Array;
  y: Float32Array;
  labels: Uint8Array;
  xDomain: [number, number];
  yDomain: [number, number];
  width: number; // plot size in pixels; the PNG has exactly this size, so it is never resampled
  height: number;
  radius?: number; // disc radius in pixels
  alpha?: number; // opacity of one disc
}

function hexToRgb(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Fisher-Yates with the report's own RNG: the painting order. */
function paintOrder(n: number, seed: number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** RGB pixels (white paper), each point an anti-aliased disc blended over what is there. */
export function rasterizeScatter(s: RasterScatterInput): Uint8Array {
  const { width: w, height: h } = s;
  const r = s.radius ?? 1.6;
  const alpha = s.alpha ?? 0.7;
  const rgb = new Float32Array(w * h * 3).fill(255);
  const colours = CLASS_COLOURS.map(hexToRgb);
  const sx = w / (s.xDomain[1] - s.xDomain[0]);
  const sy = h / (s.yDomain[1] - s.yDomain[0]);
  for (const i of paintOrder(s.labels.length, 0x5ca7)) {
    const px = (s.x[i]! - s.xDomain[0]) * sx;
    const py = (s.yDomain[1] - s.y[i]!) * sy; // y grows upwards in the plot, downwards in the picture
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const colour = colours[s.labels[i]! % colours.length]!;
    for (let yy = Math.max(0, Math.floor(py - r - 1)); yy <= Math.min(h - 1, Math.ceil(py + r + 1)); yy++) {
      for (let xx = Math.max(0, Math.floor(px - r - 1)); xx <= Math.min(w - 1, Math.ceil(px + r + 1)); xx++) {
        const d = Math.hypot(xx + 0.5 - px, yy + 0.5 - py);
        const a = alpha * Math.min(1, Math.max(0, r + 0.5 - d)); // coverage of the pixel by the disc's edge
        if (a <= 0) continue;
        const k = (yy * w + xx) * 3;
        for (let c = 0; c < 3; c++) rgb[k + c] = rgb[k + c]! * (1 - a) + colour[c]! * a;
      }
    }
  }
  return Uint8Array.from(rgb, (v) => Math.round(v));
}

export function writeRgbPng(path: string, rgb: Uint8Array, width: number, height: number): void {
  const options = { colorType: 2, inputColorType: 2, inputHasAlpha: false } as const;
  const png = new PNG({ width, height, ...options });
  png.data = Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);
  writeReportFile(path, PNG.sync.write(png, options));
}

export interface RasterAxes {
  src: string; // the PNG, relative to the report folder
  width: number;
  height: number;
  xDomain: [number, number];
  yDomain: [number, number];
  xTitle: string;
  yTitle: string;
  classNames: string[];
  title?: string;
  legend?: boolean; // the class legend (default on); off where a neighbouring panel shows it
}

/** The picture laid exactly over the plot area of quantitative axes on its domain, with the class legend. */
export function rasterScatterSpec(a: RasterAxes): TopLevelSpec {
  const x = { field: 'x', type: 'quantitative' as const, scale: { domain: a.xDomain, nice: false, zero: false }, axis: { title: a.xTitle, grid: false } };
  const y = { field: 'y', type: 'quantitative' as const, scale: { domain: a.yDomain, nice: false, zero: false }, axis: { title: a.yTitle, grid: false } };
  // One invisible point per class carries the legend; the picture has no data of its own to encode.
  const legend = a.classNames.map((label) => ({ x: a.xDomain[0], y: a.yDomain[0], label }));
  return {
    ...(a.title === undefined ? {} : { title: { text: a.title, fontSize: 12 } }),
    width: a.width,
    height: a.height,
    layer: [
      pictureLayer(a.src, a.width, a.height),
      {
        data: { values: legend },
        mark: { type: 'circle', opacity: 0 },
        encoding: {
          x,
          y,
          color: { field: 'label', type: 'nominal', scale: { domain: a.classNames, range: CLASS_COLOURS.slice(0, a.classNames.length) }, legend: a.legend === false ? null : { title: 'class', symbolOpacity: 1 } },
        },
      },
    ],
  };
}
