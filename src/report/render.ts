import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { selectBackend } from '../backend/select.js';
import type { BackendRequest, StageSpec } from '../config/schema.js';
import { describeError, describeErrorForLog } from '../errors.js';
import { replaceDirAtomic, writeJsonAtomic } from '../run/atomic.js';
import { reportDirOf } from '../run/paths.js';
import { checkReportable } from '../run/run-check.js';
import { readMetricsFile, readRunConfig, readRunInfo } from '../run/run-dir.js';
import { displayRunDir, hidePaths, type KnownPath } from './catalog/display-path.js';
import { readFinalMetrics } from './catalog/final-metrics.js';
import { lockReportTarget } from './catalog/report-lock.js';
import { createContext } from './context.js';
import { page, type SectionHtml } from './figures/html.js';
import { notDrawn, resolveStages } from './registry.js';
import { summaryHtml } from './summary.js';
import type { ReportContext, RunLatentUsage } from './types.js';
import { reportWriteError, writeReportFile } from './figures/write-file.js';

export interface ReportOptions {
  /** Stages to run instead of the config's report.stages. */
  stages?: 'default' | StageSpec[];
  /** Backend instead of the run's config.backend. */
  backend?: BackendRequest;
  /** Progress lines (stage started, t-SNE iterations). */
  log?: (message: string) => void;
}

export interface StageResult {
  type: string;
  id: string;
  ok: boolean;
  error?: string;
  seconds: number;
  files: string[]; // written into the report folder, relative to it
}

/** report.json: where a report's time went, stage by stage, and what each stage wrote (the bench reads it). */
export const REPORT_FORMAT = 1;

export interface ReportResult {
  indexPath: string;
  stages: StageResult[];
}

/**
 * Writes reports/<name>/<run id>/index.html and its files from the run directory alone. The folder is
 * self-contained (relative links, no network) and replaced whole, so a rebuild leaves no stale files;
 * a second build of the same report waits for the first (a lock beside the folder). A damaged
 * metrics.jsonl is a user error before anything is drawn. A stage that throws becomes a failed section
 * with its message; the other stages still run.
 */
export async function buildReport(runDir: string, reportsRoot = 'reports', opts: ReportOptions = {}): Promise<ReportResult> {
  const log = opts.log ?? (() => {});
  const info = readRunInfo(runDir);
  const config = readRunConfig(runDir);
  checkReportable(runDir); // damaged weights: refused before anything is drawn
  const metrics = readMetricsFile(runDir);
  // `report.stages: []` turns the report off after training; asking for one explicitly gets the defaults.
  const wanted = opts.stages ?? config.report.stages;
  const asked = Array.isArray(wanted) && wanted.length === 0 ? 'default' : wanted;
  const resolved = resolveStages(config, asked);
  const skipped = asked === 'default' ? notDrawn(config) : []; // a list names its stages: one that does not apply is an error
  const outDir = reportDirOf(reportsRoot, info);
  const lock = await lockReportTarget(outDir, `the report of ${info.name}/${info.id}`, log);
  try {
    await selectBackend(opts.backend ?? config.backend, log);
    const stages = await writeReport({ runDir, config, info, metrics }, resolved, skipped, outDir, log);
    return { indexPath: join(outDir, 'index.html'), stages };
  } finally {
    lock.release();
  }
}

/** The summary's latent rows need the saved latents; a run without them (or with damaged ones, which the stages report) shows none. */
function usageOrNull(ctx: Pick<ReportContext, 'latentUsage'>): RunLatentUsage | null {
  try {
    return ctx.latentUsage();
  } catch {
    return null;
  }
}

/** The report's folder, filled in a sibling and swapped in whole (replaceDirAtomic). */
async function writeReport(run: Parameters<typeof createContext>[0], resolved: ReturnType<typeof resolveStages>, skipped: ReturnType<typeof notDrawn>, outDir: string, log: (message: string) => void): Promise<StageResult[]> {
  const { runDir, config, info } = run;
  // Messages may name the run's files or its data: shortened like every path in the page.
  const known: KnownPath[] = [{ path: resolve(runDir), keep: 2 }, ...(config.data.dir === null ? [] : [{ path: config.data.dir, keep: 1 }])];
  const results: StageResult[] = [];
  await replaceDirAtomic(outDir, async (tmp) => {
    const ctx = createContext(run, tmp, log);
    const sections: SectionHtml[] = [];
    try {
      for (const { id, stage, options } of resolved) {
        log(`report: ${stage.type}`);
        const t0 = performance.now();
        try {
          const out = await stage.run({ ...ctx, sectionId: id }, options);
          sections.push({ id, type: stage.type, title: out.title, ok: true, body: out.body, caption: out.caption });
          results.push({ type: stage.type, id, ok: true, seconds: (performance.now() - t0) / 1000, files: out.files });
        } catch (caught) {
          // a storage failure a library raised without going through writeReportFile still names the folder
          const err = reportWriteError((caught as NodeJS.ErrnoException | null)?.path ?? tmp, caught);
          const error = describeError(err);
          log(`report: stage ${stage.type} failed: ${describeErrorForLog(err)}`);
          sections.push({ id, type: stage.type, title: stage.type, ok: false, error: hidePaths(error, known) });
          results.push({ type: stage.type, id, ok: false, error: hidePaths(error, known), seconds: (performance.now() - t0) / 1000, files: [] });
        }
      }
    } finally {
      await ctx.close();
    }
    const summary = summaryHtml({
      config, info, metrics: run.metrics, configYaml: readFileSync(join(runDir, 'config.yaml'), 'utf8'), runDir: resolve(runDir),
      final: readFinalMetrics(runDir, run.metrics.metrics), usage: usageOrNull(ctx), notDrawn: skipped, classNames: ctx.classNames,
    });
    const html = page({
      title: info.name,
      subtitle: `run ${info.id} · ${info.status} · started ${info.createdAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
      summary,
      sections,
      footer: `Generated by vaelab ${info.versions.vaelab} on ${new Date().toISOString()}. Rebuild with: npx tsx run report ${displayRunDir(runDir)}`,
    });
    writeReportFile(join(tmp, 'index.html'), html);
    writeJsonAtomic(join(tmp, 'report.json'), {
      formatVersion: REPORT_FORMAT,
      run: { name: info.name, id: info.id },
      createdAt: new Date().toISOString(),
      vaelab: info.versions.vaelab,
      seconds: results.reduce((s, r) => s + r.seconds, 0),
      stages: results,
      notDrawn: skipped,
    });
  });
  return results;
}
