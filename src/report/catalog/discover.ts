import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VaelabError } from '../../errors.js';
import { isSweepDir, readSweepFile } from '../../run/sweep-file.js';

/**
 * Finding run directories by their run.json, the one file every run has from its first moment. A sweep's
 * points sit below the experiments root at experiments/<name>/<sweep id>/<point>/ (the point's folder is
 * its run directory), so a search goes a few folders deep; it never descends into a run directory.
 */
const SEARCH_DEPTH = 5;

function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'run.json'));
}

/** Run directories at or below `dir`, in path order; [] when `dir` does not exist. */
export function findRunDirs(dir: string, depth = SEARCH_DEPTH): string[] {
  if (isRunDir(dir)) return [dir];
  if (depth === 0 || !existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !/\.(next|prev)$/.test(e.name))
    .map((e) => e.name)
    .sort();
  return entries.flatMap((name) => findRunDirs(join(dir, name), depth - 1));
}

/**
 * A sweep folder's runs in the sweep's own order (latentDim 2, 5, 10, not the text order of the folder
 * names), from its sweep.json; points that have not started have no run directory yet and are left out.
 */
function sweepRuns(sweepDir: string): string[] {
  return readSweepFile(sweepDir)
    .points.map((p) => resolve(sweepDir, p.runDir))
    .filter(isRunDir);
}

export interface FoundRun {
  runDir: string; // absolute
  named: boolean; // given as an argument itself, not found inside a folder
}

/**
 * The run directories named by `dirs`: a run directory stands for itself; any other folder (a sweep, or
 * experiments/<name>/ with several runs) for the runs below it. Each run appears once, in argument order.
 */
export function expandRunDirs(dirs: readonly string[]): FoundRun[] {
  const out: FoundRun[] = [];
  for (const dir of dirs) {
    const abs = resolve(dir);
    if (!existsSync(abs)) throw new VaelabError(`${dir}: no such folder`);
    if (!statSync(abs).isDirectory()) throw new VaelabError(`${dir}: expected a run directory or a sweep folder, found a file`);
    const runs = isSweepDir(abs) ? sweepRuns(abs) : findRunDirs(abs);
    if (runs.length === 0) throw new VaelabError(`${dir}: no run directories in it (a run directory holds run.json)`);
    for (const runDir of runs) if (!out.some((r) => r.runDir === runDir)) out.push({ runDir, named: runDir === abs });
  }
  return out;
}
