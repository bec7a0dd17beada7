import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { reportDirOf } from '../../run/paths.js';
import { readMetrics, readRunInfo, type EpochMetrics, type RunInfo } from '../../run/run-dir.js';
import { escapeHtml } from '../figures/html.js';
import { readFinalMetrics, type FinalMetrics } from './final-metrics.js';

/** What the comparison and the index page read of one run directory (never its model: that is lazy). */
export interface RunSummary {
  runDir: string; // absolute
  info: RunInfo;
  config: Config; // the resolved config the run saved, defaults of newer keys filled in
  metrics: EpochMetrics[];
  final: FinalMetrics;
  hasCheckpoint: boolean;
  hasLatents: boolean;
}

export function readRunSummary(dir: string): RunSummary {
  const runDir = resolve(dir);
  const info = readRunInfo(runDir);
  const config = loadConfig(join(runDir, 'config.yaml')).config;
  const metrics = readMetrics(runDir);
  return {
    runDir,
    info,
    config,
    metrics,
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
export function pageLink(fromDir: string, target: string, label: string, missing: string): string {
  const href = pageHref(fromDir, target);
  if (href === null) return `${escapeHtml(label)} <span class="se" title="${escapeHtml(missing)}">(no report)</span>`;
  return `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
}

/** A path as a reader types it: relative to the working folder when inside it, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/** The command that (re)builds a run's report into `reportsRoot`. */
export function reportCommand(runDir: string, reportsRoot: string): string {
  const to = resolve(reportsRoot) === resolve('reports') ? '' : ` --reports ${displayPath(resolve(reportsRoot))}`;
  return `npx tsx run report ${displayPath(runDir)}${to}`;
}

/** "2026-11-25T09:10:15.163Z" -> "2026-11-25 09:10 UTC". */
export function shortDate(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m === null ? iso : `${m[1]} ${m[2]} UTC`;
}
