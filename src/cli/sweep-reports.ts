import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reportDirOf } from '../run/paths.js';
import { readRunConfig, readRunInfo } from '../run/run-dir.js';
import type { SweepFile } from '../run/sweep-file.js';

/**
 * The completed points of a sweep whose report is missing or has failed stages, each with the command that
 * rebuilds it, read from the reports themselves (report.json): a point trains in its own process, and a
 * report that fails there (a full disk) must still end the sweep's command with exit 1, as a single run's does.
 */
export function pointReportProblems(sweepDir: string, summary: SweepFile, reportsRoot: string): string[] {
  return summary.points.flatMap((p) => {
    if (p.status !== 'completed') return [];
    const runDir = resolve(sweepDir, p.runDir);
    try {
      const stages = readRunConfig(runDir).report.stages;
      if (Array.isArray(stages) && stages.length === 0) return []; // the point's config turned its report off
      const report = JSON.parse(readFileSync(join(reportDirOf(reportsRoot, readRunInfo(runDir)), 'report.json'), 'utf8')) as { stages: { type: string; ok: boolean }[] };
      const failed = report.stages.filter((s) => !s.ok).map((s) => s.type);
      return failed.length === 0 ? [] : [`${p.name}: report stages ${failed.join(', ')} failed; rebuild with npx tsx run report ${runDir}`];
    } catch {
      return [`${p.name}: no report was written; rebuild with npx tsx run report ${runDir}`];
    }
  });
}
