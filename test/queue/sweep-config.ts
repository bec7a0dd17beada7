import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A tiny sweep config: a few hundred MNIST images, wasm, no per-run report (the comparison is still built). */
export function writeSweep(dir: string, name: string, sweep: string, train = '{epochs: 4, batchSize: 64, evalBatchSize: 64}', trainLimit = 1024): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [`name: ${name}`, 'backend: wasm', `data: {trainLimit: ${trainLimit}, testLimit: 128}`, 'model: {hidden: [32], latentDim: 2}', `train: ${train}`, 'eval: {iwaeImages: 16, iwaeSamples: 32}', 'report: {stages: []}', `sweep: ${sweep}`, ''].join('\n'),
  );
  return file;
}
