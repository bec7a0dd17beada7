import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Config } from '../../config/schema.js';
import { reportDirOf } from '../../run/paths.js';
import { readMetricsFile, readRunConfig, readRunInfo, type EpochMetrics, type RunInfo } from '../../run/run-dir.js';
import { html, type SafeHtml } from '../figures/html.js';
import { displayPath, displayRunDir } from './display-path.js';
import { readFinalMetrics, type FinalMetrics } from './final-metrics.js';

/** What the comparison and the index page read of one run directory (never its model: that is lazy). */
export interface RunSummary {
  runDir: string; // absolute
  info: RunInfo;
  config: Config; // the resolved config the run saved, defaults of newer keys filled in
  metrics: EpochMetrics[];
  tornLastLine: boolean; // metrics.jsonl ended in a line cut short (killed while writing it), left out
  final: FinalMetrics;
  hasCheckpoint: boolean;
  hasLatents: boolean;
}

/** Throws a user error naming file and line when metrics.jsonl is damaged: no comparison of wrong numbers. */
export function readRunSummary(dir: string): RunSummary {
  const runDir = resolve(dir);
  const info = readRunInfo(runDir);
  const config = readRunConfig(runDir);
  const { metrics, tornLastLine } = readMetricsFile(runDir);
  return {
    runDir,
    info,
    config,
    metrics,
    tornLastLine,
    final: readFinalMetrics(runDir, metrics),
    hasCheckpoint: existsSync(join(runDir, 'checkpoint', 'state.json')),
    hasLatents: existsSync(join(runDir, 'latents.json')),
  };
}

/**
 * Where buildReport writes a run's report: <reportsRoot>/<name>/<run id>/index.html. One function, so the
 * comparison's links and the index page's links cannot drift apart from each other.
 */
export function runReportPath(reportsRoot: string, info: Pick<RunInfo, 'name' | 'id'>): string {
  return join(reportDirOf(reportsRoot, info), 'index.html');
}

/** A relative href from `fromDir` to the page `target`, or null when that page has not been built. */
export function pageHref(fromDir: string, target: string): string | null {
  return existsSync(target) ? relative(fromDir, target).split('\\').join('/') : null;
}

/** A link to a page, or its label marked "(no report)" with `missing` (how to build it) as the tooltip. */
export function pageLink(fromDir: string, target: string, label: string, missing: string): SafeHtml {
  const href = pageHref(fromDir, target);
  if (href === null) return html`${label} <span class="se" title="${missing}">(no report)</span>`;
  return html`<a href="${href}">${label}</a>`;
}

/** The command that (re)builds a run's report into `reportsRoot`, with paths as pages show them (display-path.ts). */
export function reportCommand(runDir: string, reportsRoot: string): string {
  const to = resolve(reportsRoot) === resolve('reports') ? '' : ` --reports ${displayPath(reportsRoot)}`;
  return `npx tsx run report ${displayRunDir(runDir)}${to}`;
}

/** "2026-11-25T09:10:15.163Z" -> "2026-11-25 09:10 UTC". */
export function shortDate(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m === null ? iso : `${m[1]} ${m[2]} UTC`;
}
