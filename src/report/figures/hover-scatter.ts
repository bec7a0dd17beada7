import { html, raw, scriptJson, type SafeHtml } from './html.js';
import { writeTiles } from './images.js';

/**
 * A raster scatter (raster-panel.ts) that names the point under the pointer: the nearest point within a
 * few pixels shows its image, its index and its class in a tooltip. Offline and small: the images come
 * from one sprite PNG beside the page, the positions from JSON inside it, the script from this file.
 */
export interface HoverPoints {
  xy: Float32Array; // [n, 2] data coordinates, as plotted
  labels: Uint8Array;
  indices: readonly number[]; // test-set index of each point
  images: Float32Array; // [n, height * width] pixel probabilities, in the points' order
  size: { height: number; width: number };
}

const SPRITE_COLS = 100;

/** Writes the sprite of the points' images; returns its file name. */
export function writeHoverSprite(outDir: string, file: string, p: HoverPoints): string {
  writeTiles(`${outDir}/${file}`, p.images, p.indices.length, { cols: SPRITE_COLS, size: p.size });
  return file;
}

export interface HoverFigure {
  id: string; // unique in the page (the section id)
  svg: SafeHtml; // the raster scatter under its axes
  sprite: string; // relative URL of the sprite
  domains: [[number, number], [number, number]];
  points: HoverPoints;
  classNames: readonly string[];
}

export function hoverScatter(f: HoverFigure): SafeHtml {
  const { xy, labels, indices } = f.points;
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  const data = {
    domains: f.domains,
    cols: SPRITE_COLS,
    size: f.points.size,
    classNames: f.classNames,
    points: Array.from(indices, (idx, i) => [round(xy[2 * i]!), round(xy[2 * i + 1]!), idx, labels[i]!]),
  };
  return html`<div class="hover-scatter" id="${f.id}-hover" data-sprite="${f.sprite}">${f.svg}<div class="hover-tip" hidden><div class="hover-digit"></div><span></span></div>
<script type="application/json" class="hover-data">${scriptJson(data)}</script></div>
<script>${raw(HOVER_SCRIPT)}</script>`;
}

// Runs once per figure (each figure's script finds the figures not yet wired). Buckets the points on a
// grid of cells as large as the pick radius, so a pointer move looks at nine cells, not 10,000 points.
const HOVER_SCRIPT = `(() => {
  for (const root of document.querySelectorAll('.hover-scatter:not([data-ready])')) {
    root.dataset.ready = '1';
    const d = JSON.parse(root.querySelector('.hover-data').textContent);
    const image = root.querySelector('svg image');
    const tip = root.querySelector('.hover-tip');
    const digit = tip.querySelector('.hover-digit');
    const text = tip.querySelector('span');
    const scale = 3, R = 6;
    digit.style.width = d.size.width * scale + 'px';
    digit.style.height = d.size.height * scale + 'px';
    digit.style.backgroundImage = 'url("' + root.dataset.sprite + '")';
    const rows = Math.ceil(d.points.length / d.cols);
    digit.style.backgroundSize = d.cols * d.size.width * scale + 'px ' + rows * d.size.height * scale + 'px';
    let grid = null, gw = 0, box = null;
    const build = () => {
      box = image.getBoundingClientRect();
      gw = Math.max(1, Math.ceil(box.width / R));
      grid = new Map();
      d.points.forEach((p, i) => {
        const [px, py] = place(p);
        const key = Math.floor(py / R) * gw + Math.floor(px / R);
        if (!grid.has(key)) grid.set(key, []);
        grid.get(key).push(i);
      });
    };
    const place = (p) => [
      (p[0] - d.domains[0][0]) / (d.domains[0][1] - d.domains[0][0]) * box.width,
      (d.domains[1][1] - p[1]) / (d.domains[1][1] - d.domains[1][0]) * box.height,
    ];
    const nearest = (x, y) => {
      let best = -1, bestD = R * R;
      const cx = Math.floor(x / R), cy = Math.floor(y / R);
      for (let j = cy - 1; j <= cy + 1; j++) for (let i = cx - 1; i <= cx + 1; i++) {
        for (const k of grid.get(j * gw + i) || []) {
          const [px, py] = place(d.points[k]);
          const dd = (px - x) ** 2 + (py - y) ** 2;
          if (dd < bestD) { bestD = dd; best = k; }
        }
      }
      return best;
    };
    root.addEventListener('pointermove', (e) => {
      const r = image.getBoundingClientRect();
      if (grid === null || r.width !== box.width || r.height !== box.height) build();
      const k = nearest(e.clientX - r.left, e.clientY - r.top);
      if (k < 0) { tip.hidden = true; return; }
      const [, , idx, label] = d.points[k];
      digit.style.backgroundPosition = -(k % d.cols) * d.size.width * scale + 'px ' + -Math.floor(k / d.cols) * d.size.height * scale + 'px';
      text.textContent = 'test #' + idx + ' · ' + (d.classNames[label] ?? label);
      const host = root.getBoundingClientRect();
      tip.style.left = e.clientX - host.left + 14 + 'px';
      tip.style.top = e.clientY - host.top + 14 + 'px';
      tip.hidden = false;
    });
    root.addEventListener('pointerleave', () => { tip.hidden = true; });
  }
})();`;
