import { join } from 'node:path';
import { oneHot } from '../../data/batches.js';
import type { Split } from '../../data/datasets.js';
import { disposeVae } from '../../models/registry.js';
import { loadVae } from '../../run/checkpoint.js';
import { gatherRows, reconstructionPicks, standardNormals } from '../analysis/picks.js';
import type { RunSummary } from '../catalog/run-summary.js';
import { decodeZ, reconstructImages } from '../decode.js';
import { digitRowsFigure } from '../figures/digit-rows.js';
import { html, img, joinHtml, type SafeHtml } from '../figures/html.js';
import { writeTiles } from '../figures/images.js';
import { runColour } from '../figures/palette.js';
import { reconstructionsStage } from '../stages/reconstructions.js';

/** The reconstructions stage's defaults, so a comparison shows exactly the digits of every run's report. */
const RECONSTRUCTIONS = reconstructionsStage.options.parse({});
/** Prior samples: one fixed draw shared by all runs (a run with latentDim d takes the first d coordinates). */
const PRIOR_SEED = 0x5eed;
export const PRIOR_ROWS = 2;
export const PRIOR_COLS = 10;

export interface Picks {
  classes: number[]; // the first test example of each class present
  classNames: string[];
  extra: number[]; // seeded picks from the first test images, not among `classes`
}

export function comparePicks(test: Split, classNames: readonly string[]): Picks {
  const { first, extra } = reconstructionPicks(test.labels, classNames.length, RECONSTRUCTIONS.extra, RECONSTRUCTIONS.pickFrom);
  return { classes: first.map((p) => p.idx), classNames: first.map((p) => classNames[p.label] ?? String(p.label)), extra };
}

export interface DecodedRun {
  classes: Float32Array; // reconstructions of picks.classes
  extra: Float32Array;
  prior: Float32Array; // PRIOR_ROWS * PRIOR_COLS decodings of the shared prior draw
}

/**
 * Loads each run's checkpoint in turn, decodes what the figures need and disposes it before the next, so
 * memory holds one model at a time whatever the number of runs. A cvae is given each test digit's true
 * label, and for the prior samples column c gets class c.
 */
export async function decodeRuns(runs: readonly RunSummary[], test: Split, picks: Picks, log: (m: string) => void): Promise<DecodedRun[]> {
  const maxDim = Math.max(...runs.map((r) => r.config.model.latentDim));
  const count = PRIOR_ROWS * PRIOR_COLS;
  const shared = standardNormals(count * maxDim, PRIOR_SEED);
  const out: DecodedRun[] = [];
  for (const run of runs) {
    log(`compare: decoding with ${run.info.name}/${run.info.id}`);
    const vae = await loadVae(join(run.runDir, 'checkpoint'));
    try {
      const { imageSize, numClasses, latentDim } = vae.spec;
      const recon = (indices: number[]) => {
        const x = gatherRows(test.images, imageSize, indices);
        return reconstructImages(vae, x, indices.length, oneHot(gatherRows(test.labels, 1, indices), numClasses));
      };
      const z = new Float32Array(count * latentDim);
      for (let i = 0; i < count; i++) z.set(shared.subarray(i * maxDim, i * maxDim + latentDim), i * latentDim);
      const labels = Uint8Array.from({ length: count }, (_, i) => (i % PRIOR_COLS) % numClasses);
      out.push({ classes: await recon(picks.classes), extra: await recon(picks.extra), prior: await decodeZ(vae, z, count, oneHot(labels, numClasses)) });
    } finally {
      disposeVae(vae);
    }
  }
  return out;
}

/** The size of one image of the data, shared by every run of a comparison. */
export interface ImageSize {
  height: number;
  width: number;
}

/** Originals once on top, then one row per run, as one labelled picture on a shared grid of tiles. */
export function reconFigure(outDir: string, file: string, image: ImageSize, originals: Float32Array, rows: Float32Array[], labels: readonly string[], xLabels: string[], xTitle: string): Promise<SafeHtml> {
  // Row labels are run labels ("kind cvae, latentDim 10"): let them run longer than vega's 180 px default.
  return digitRowsFigure({ outDir, file, rows: [originals, ...rows], rowLabels: ['original', ...labels], xLabels, xTitle, image, scale: RECONSTRUCTIONS.scale, rowLabelLimit: 360 });
}

/** One small grid of prior samples per run, titled with its label in its table colour. */
export function priorPanels(outDir: string, image: ImageSize, decoded: readonly DecodedRun[], labels: readonly string[]): SafeHtml {
  const panels = decoded.map((d, i) => {
    const file = `prior-${i + 1}.png`;
    const size = writeTiles(join(outDir, file), d.prior, PRIOR_ROWS * PRIOR_COLS, { cols: PRIOR_COLS, scale: RECONSTRUCTIONS.scale, gap: 2, size: image });
    const title = html`<h3><span class="swatch" style="background:${runColour(i)}"></span>${labels[i] ?? ''}</h3>`;
    return html`<div class="panel">${title}${img(file, `samples from the prior decoded by ${labels[i] ?? ''}`, size)}</div>`;
  });
  return html`<div class="panels">${joinHtml(panels, '\n')}</div>`;
}
