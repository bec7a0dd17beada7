import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { toCsv } from '../figures/csv.js';
import { fileLink, table, type SafeHtml } from '../figures/html.js';
import type { Stage } from '../types.js';
import { writeReportFile } from '../figures/write-file.js';

const Options = z.strictObject({});

export const exportsStage: Stage<z.infer<typeof Options>> = {
  type: 'exports',
  options: Options,
  inDefault: () => true,
  needs: [],
  applies: () => true,
  async run(ctx) {
    const { latentDim } = ctx.spec();
    const test = ctx.latents().splits.test!;
    const cols = Array.from({ length: latentDim }, (_, j) => j + 1);
    const header = ['testIndex', 'label', 'class', ...cols.map((j) => `mu${j}`), ...cols.map((j) => `logVar${j}`)];
    const rows = Array.from({ length: test.count }, (_, i) => [
      i,
      test.labels[i]!,
      ctx.classNames[test.labels[i]!] ?? '',
      ...Array.from(test.mu.subarray(i * latentDim, (i + 1) * latentDim)),
      ...Array.from(test.logVar.subarray(i * latentDim, (i + 1) * latentDim)),
    ]);
    writeReportFile(join(ctx.outDir, 'latents-test.csv'), toCsv(header, rows));
    const what = `${test.count} rows: test index, label, class name, posterior mean (mu1..mu${latentDim}) and log-variance (logVar1..logVar${latentDim})`;
    const listed: [SafeHtml, string][] = [[fileLink('latents-test.csv', 'latents-test.csv'), what]];
    // The t-SNE stage writes its own file; list it here too when it ran before this stage.
    if (existsSync(join(ctx.outDir, 'tsne.csv'))) listed.push([fileLink('tsne.csv', 'tsne.csv'), 'the t-SNE embedding: test index, label, class name, two coordinates']);
    return {
      title: 'Data for further analysis',
      caption: 'The numbers behind the latent figures, as CSV with a header row, for a notebook or a spreadsheet. Row order follows the test set.',
      body: table(['file', 'contents'], listed),
      files: ['latents-test.csv'],
    };
  },
};
