import { join } from 'node:path';
import { parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
export { readRunConfig as runConfig } from '../run/run-dir.js';
import { describeError, describeErrorForLog, VaelabError } from '../errors.js';
import { buildIndex, experimentsRootOf } from '../report/catalog/index-page.js';
import { buildReport } from '../report/render.js';
import { resolveStages } from '../report/registry.js';
import { acquireLock } from '../run/lock.js';
import { checkResumable, createRunDir, readRunConfig, readRunInfo, withAbsoluteDataDir } from '../run/run-dir.js';
import { trainAndEvaluate, type TrainOptions, type TrainResult } from '../train/trainer.js';

export interface PipelineOptions extends TrainOptions {
  out?: string; // where run directories go (experiments/)
  reports?: string; // where reports go (reports/)
  /** Progress and problems of the report built after training. */
  reportLog?: (message: string) => void;
}

export interface PipelineResult extends TrainResult {
  reportPath: string | null; // index.html of the report, null when none was built
  /** Each report stage that failed (stage null: no report was written at all); empty when it all went. */
  reportProblems: ReportProblem[];
}

export interface ReportProblem {
  stage: string | null;
  message: string;
}

/** Creates a new run directory under `out`, trains the config's model in it, then writes its report. */
export async function train(given: Config, options: PipelineOptions = {}): Promise<PipelineResult> {
  // A library caller's config is checked as a file's is (epochs -5 or a 17 GB model must not start a run folder)
  const config = parseConfig(given);
  if (config.sweep !== null) throw new VaelabError(`config ${config.name} has a sweep: run it with runSweep (or set sweep to null for one run)`);
  // A typo in report.stages fails now, before the training it would otherwise follow.
  if (config.report.stages !== 'default' && config.report.stages.length > 0) resolveStages(config);
  const resolved = withAbsoluteDataDir(config, options.baseDir);
  const runDir = createRunDir(options.out ?? 'experiments', resolved);
  const lock = await lockRun(runDir);
  try {
    return await withReport(resolved, await trainAndEvaluate(resolved, runDir, options), options);
  } finally {
    lock.release();
  }
}

/** Continues an interrupted (or failed) run from its checkpoint, with the config it was started with. */
export async function resume(runDir: string, options: PipelineOptions = {}): Promise<PipelineResult> {
  readRunInfo(runDir); // a clear error for a folder that is not a run, before a lock file is put in it
  const lock = await lockRun(runDir);
  try {
    const info = readRunInfo(runDir);
    if (info.status === 'completed') throw new VaelabError(`${runDir} has already completed; nothing to resume`);
    const config = readRunConfig(runDir);
    checkResumable(runDir, info, config);
    return await withReport(config, await trainAndEvaluate(config, runDir, options), options);
  } finally {
    lock.release();
  }
}

/** One process trains a run directory at a time: a second `--resume` of a run still training is refused. */
function lockRun(runDir: string) {
  return acquireLock(join(runDir, '.lock'), `run ${runDir}`);
}

/**
 * Builds the report of a completed run unless `report.stages` is []. The run is already saved: a report
 * that fails is logged, and the run's result stands (`npx tsx run report <runDir>` retries it).
 */
async function withReport(config: Config, result: TrainResult, options: PipelineOptions): Promise<PipelineResult> {
  const stages = config.report.stages;
  // `report.stages: []` keeps the run out of reports/ altogether, the index included (tests rely on it).
  if (Array.isArray(stages) && stages.length === 0) return { ...result, reportPath: null, reportProblems: [] };
  const log = options.reportLog ?? (() => {});
  const report = result.status === 'completed' ? await runReport(result.runDir, options.reports ?? 'reports', log) : { path: null, problems: [] };
  await refreshIndex(result.runDir, config.name, options, log);
  return { ...result, reportPath: report.path, reportProblems: report.problems };
}

/** The report of a saved run: what goes wrong is returned for the caller's exit code, never thrown. */
async function runReport(runDir: string, reports: string, log: (message: string) => void): Promise<{ path: string | null; problems: ReportProblem[] }> {
  try {
    const report = await buildReport(runDir, reports, { log });
    return { path: report.indexPath, problems: report.stages.filter((s) => !s.ok).map((s) => ({ stage: s.type, message: s.error ?? '' })) };
  } catch (err) {
    log(`report failed (the run is saved; rebuild it with npx tsx run report ${runDir}): ${describeErrorForLog(err)}`);
    return { path: null, problems: [{ stage: null, message: describeError(err) }] };
  }
}

/** Rebuilds reports/index.html so the run is listed (failed and interrupted ones too); a failure is only logged. */
async function refreshIndex(runDir: string, name: string, options: PipelineOptions, log: (message: string) => void): Promise<void> {
  try {
    await buildIndex(options.out ?? experimentsRootOf(runDir, name) ?? 'experiments', options.reports ?? 'reports', log);
  } catch (err) {
    log(`reports index not rebuilt: ${describeErrorForLog(err)}`);
  }
}
