import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ensureDir } from '../../run/paths.js';
import { writeReportFile } from '../figures/write-file.js';
import type { Plane } from './plane.js';

/**
 * The explorer's files in the report folder. A page opened from file:// may not fetch() its neighbours,
 * but it may run neighbouring <script src> files, so everything the page needs is a script:
 *   explorer/tf.min.js     the tfjs browser bundle from node_modules (offline: no CDN)
 *   explorer/decoder.js    window.VAELAB_DECODER = { modelTopology, weightSpecs, weightsBase64 }
 *   explorer/latents.js    window.VAELAB_LATENTS = the plane's backdrop points (test posterior means)
 *   explorer/explorer.js   the page logic (assets/explorer.js, a plain browser script)
 */
export const EXPLORER_DIR = 'explorer';

const TFJS_BUNDLE = createRequire(import.meta.url).resolve('@tensorflow/tfjs/dist/tf.min.js');
const PAGE_SCRIPT = fileURLToPath(new URL('./assets/explorer.js', import.meta.url));

export interface DecoderScript {
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightsBase64: string;
}

/** The decoder as tfjs serialises it (the same artifacts model.save writes into a checkpoint). */
async function decoderArtifacts(decoder: tf.LayersModel): Promise<DecoderScript> {
  const saved: { script?: DecoderScript } = {};
  await decoder.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      saved.script = {
        modelTopology: artifacts.modelTopology,
        weightSpecs: artifacts.weightSpecs ?? [],
        weightsBase64: Buffer.from(bytes).toString('base64'),
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (saved.script === undefined) throw new Error('tfjs did not hand the decoder to the save handler');
  return saved.script;
}

/** JSON is valid JavaScript; these files are loaded by <script src>, never inlined, so no escaping is due. */
function globalScript(name: string, value: unknown): string {
  return `// written by vaelab's explorer stage\nwindow.${name} = ${JSON.stringify(value)};\n`;
}

/**
 * The bundle's last line points DevTools at tf.min.js.map, which we do not ship (16 MB): dropping it
 * keeps DevTools from reporting a missing file. The Apache-2.0 licence header stays.
 */
function tfjsBundle(): string {
  return readFileSync(TFJS_BUNDLE, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

/** Writes the four scripts into `<outDir>/explorer/` and returns their paths relative to outDir. */
export async function writeExplorerAssets(outDir: string, decoder: tf.LayersModel, plane: Plane): Promise<string[]> {
  const files: Record<string, string> = {
    'tf.min.js': tfjsBundle(),
    'decoder.js': globalScript('VAELAB_DECODER', await decoderArtifacts(decoder)),
    'latents.js': globalScript('VAELAB_LATENTS', plane.points),
    'explorer.js': readFileSync(PAGE_SCRIPT, 'utf8'),
  };
  // outDir is the report's fresh `.next` folder: plain writes, the folder is swapped in whole
  ensureDir(join(outDir, EXPLORER_DIR));
  return Object.entries(files).map(([name, text]) => {
    writeReportFile(join(outDir, EXPLORER_DIR, name), text);
    return `${EXPLORER_DIR}/${name}`;
  });
}
