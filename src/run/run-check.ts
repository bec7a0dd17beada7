import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkCheckpointWeights } from './checkpoint.js';

/**
 * Refuses a run whose files no longer describe the model that was trained, before a report or comparison
 * draws anything from it: weights that are damaged or not finite would draw black images beside the
 * run's old numbers. `report` (render.ts) and `compare` (compare/build.ts) call it where they open a run.
 */
export function checkReportable(runDir: string): void {
  const ckpt = join(runDir, 'checkpoint');
  if (existsSync(join(ckpt, 'state.json'))) checkCheckpointWeights(ckpt);
}
