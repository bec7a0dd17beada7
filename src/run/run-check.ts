import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkCheckpointWeights } from './checkpoint.js';
import { checkConfigUnchanged } from './config-hash.js';
import { readRunConfig, readRunInfo } from './run-dir.js';

/**
 * Refuses a run whose files no longer describe the model that was trained, before a report or comparison
 * draws anything from it: a config.yaml edited since (another width or family would be described, another
 * latentDim would not even decode), or weights that are damaged or not finite (black images beside the
 * run's old numbers). `report` (render.ts) and `compare` (compare/build.ts) call it where they open a run.
 */
export function checkReportable(runDir: string): void {
  const why = 'was trained: its report would describe a model that was never trained. Restore the file, or train a new run with the new config';
  checkConfigUnchanged(runDir, readRunInfo(runDir).configSha256, readRunConfig(runDir), why);
  const ckpt = join(runDir, 'checkpoint');
  if (existsSync(join(ckpt, 'state.json'))) checkCheckpointWeights(ckpt);
}
