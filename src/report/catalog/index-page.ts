import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../run/atomic.js';
import { isSweepDir } from '../../run/sweep-file.js';
import { html, page, raw, type SafeHtml, type SectionHtml } from '../figures/html.js';
import { SORT_SCRIPT, SORTABLE_CSS, sortableTable, textCell as text, type Cell, type Column } from '../figures/sortable-table.js';
import { readComparisonRecords, type ComparisonRecord } from './comparison-record.js';
import { findRunDirs } from './discover.js';
import { displayPath, hidePaths } from './display-path.js';
import { lockReportTarget } from './report-lock.js';
import { pageLink, readRunSummary, reportCommand, runReportPath, shortDate, type RunSummary } from './run-summary.js';

export interface IndexResult {
  indexPath: string;
  runs: number;
  comparisons: number;
  unreadable: string[]; // "<dir>: <why>" for run directories and comparisons that could not be read
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const number = (v: number | null, digits = 0): Cell => (v === null ? { html: html`—`, sort: null } : { html: html`${v.toFixed(digits)}`, sort: v });

/** " · latentDim=2 of sweep-1a2b3c4d" for a sweep's point, so a sweep's rows say which point they are. */
function sweepPoint(runDir: string): string {
  const sweep = resolve(runDir, '..');
  return isSweepDir(sweep) ? ` · ${basename(runDir)} of ${basename(sweep)}` : '';
}

function runsTable(runs: readonly RunSummary[], indexDir: string, reportsRoot: string): SafeHtml {
  const m = (r: RunSummary) => r.config.model;
  const cols: Column[] = [
    { head: 'date', tip: 'when the run started (UTC)', numeric: false, cells: runs.map((r) => ({ html: html`${shortDate(r.info.createdAt)}`, sort: r.info.createdAt })) },
    {
      head: 'run',
      tip: 'name / run id; links to its report',
      numeric: false,
      wrap: true,
      cells: runs.map((r) => ({
        html: html`${pageLink(indexDir, runReportPath(reportsRoot, r.info), r.info.name, reportCommand(r.runDir, reportsRoot))}<br><span class="se">${r.info.id + sweepPoint(r.runDir)}</span>`,
        sort: `${r.info.name}/${r.info.id}`,
      })),
    },
    { head: 'kind', numeric: false, cells: runs.map((r) => text(m(r).kind)) },
    { head: 'arch', numeric: false, cells: runs.map((r) => text(m(r).arch)) },
    { head: 'latentDim', numeric: true, cells: runs.map((r) => number(m(r).latentDim)) },
    { head: 'β', tip: 'loss.beta', numeric: true, cells: runs.map((r) => ({ html: html`${r.config.loss.beta}`, sort: r.config.loss.beta })) },
    { head: 'data', numeric: false, cells: runs.map((r) => text(r.info.dataset === null ? r.config.data.dataset : `${r.info.dataset.name} ${r.info.dataset.train}/${r.info.dataset.test}`)) },
    { head: 'epochs', tip: 'completed / planned', numeric: true, cells: runs.map((r) => ({ html: html`${r.info.epochsCompleted} / ${r.info.epochs}`, sort: r.info.epochsCompleted })) },
    { head: 'test −ELBO', tip: 'nats per image (β = 1 form); only runs on the same data compare', numeric: true, cells: runs.map((r) => number(r.final.negElbo, 2)) },
    {
      head: 'status',
      numeric: false,
      cells: runs.map((r) => ({ html: r.info.status === 'completed' ? html`completed` : html`<span class="status-bad">${r.info.status}</span>`, sort: r.info.status })),
    },
  ];
  const rows = runs.map((r) => ({ data: `${r.info.name}/${r.info.id}`, unfinished: r.info.status !== 'completed' }));
  return sortableTable(cols, { rows });
}

function comparisonsTable(records: readonly ComparisonRecord[], indexDir: string, reportsRoot: string): SafeHtml {
  const cols: Column[] = [
    { head: 'date', numeric: false, cells: records.map((c) => ({ html: html`${shortDate(c.createdAt)}`, sort: c.createdAt })) },
    { head: 'comparison', numeric: false, cells: records.map((c) => ({ html: pageLink(indexDir, resolve(reportsRoot, 'compare', c.id, 'index.html'), c.id, ''), sort: c.id })) },
    { head: 'runs', numeric: true, cells: records.map((c) => number(c.runs.length)) },
    { head: 'names', numeric: false, cells: records.map((c) => text([...new Set(c.runs.map((r) => r.name))].join(', '))) },
    { head: 'differing keys', numeric: false, cells: records.map((c) => text(c.keys.join(', ') || '—')) },
  ];
  return sortableTable(cols);
}

/**
 * Writes <reportsRoot>/index.html: every run under `experimentsRoot` (sweep points included) and every
 * comparison under <reportsRoot>/compare/, newest first, each linking to its page. A run that cannot be
 * read is listed by path with the reason, so one broken folder never hides the others. The page is
 * scanned and written under a lock, so of two processes rebuilding it the later one lists what both wrote.
 */
export async function buildIndex(experimentsRoot = 'experiments', reportsRoot = 'reports', log: (message: string) => void = () => {}): Promise<IndexResult> {
  const indexPath = join(resolve(reportsRoot), 'index.html');
  const lock = await lockReportTarget(indexPath, 'the reports index', log);
  try {
    return writeIndex(experimentsRoot, reportsRoot);
  } finally {
    lock.release();
  }
}

function writeIndex(experimentsRoot: string, reportsRoot: string): IndexResult {
  const indexDir = resolve(reportsRoot);
  const unreadable: string[] = [];
  const runs = findRunDirs(resolve(experimentsRoot)).flatMap((dir) => {
    try {
      return [readRunSummary(dir)];
    } catch (err) {
      unreadable.push(`${dir}: ${(err as Error).message}`);
      return [];
    }
  });
  runs.sort((a, b) => b.info.createdAt.localeCompare(a.info.createdAt));
  const comparisons = readComparisonRecords(reportsRoot, unreadable).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const sections: SectionHtml[] = [
    {
      id: 'runs', type: 'runs', title: `Runs (${runs.length})`, ok: true,
      body: runs.length === 0 ? html`<p>No runs yet.</p>` : runsTable(runs, indexDir, reportsRoot),
      caption: 'Newest first; click a header to sort. A run without a report shows the command that builds it in its tooltip.',
    },
    {
      id: 'comparisons', type: 'comparisons', title: `Comparisons (${comparisons.length})`, ok: true,
      body: comparisons.length === 0 ? html`<p>No comparisons yet: <code>npx tsx run compare ${'<runDir|sweepDir>...'}</code></p>` : comparisonsTable(comparisons, indexDir, reportsRoot),
      caption: 'Side-by-side reports of several runs on the same data, newest first.',
    },
  ];
  const known = [{ path: resolve(experimentsRoot), keep: 1 }, { path: indexDir, keep: 1 }];
  const problems = unreadable.length > 0 && html`<p class="note">Could not read:</p><ul>${unreadable.map((u) => html`<li><code>${hidePaths(u, known)}</code></li>`)}</ul>`;
  const text = page({
    title: 'vaelab runs',
    subtitle: `${plural(runs.length, 'run')} under ${displayPath(experimentsRoot)} and ${plural(comparisons.length, 'comparison')}`,
    summary: html`<style>${raw(SORTABLE_CSS)}</style>\n<p>Every run and comparison, with links to their reports. This page is rebuilt after each run and each comparison.</p>${problems}\n<script>${raw(SORT_SCRIPT)}</script>`,
    sections,
    footer: `Generated by vaelab on ${new Date().toISOString()}.`,
  });
  const indexPath = join(indexDir, 'index.html');
  writeFileAtomic(indexPath, text);
  return { indexPath, runs: runs.length, comparisons: comparisons.length, unreadable };
}

/**
 * The experiments root a run directory lives under, for a run resumed without --out: the parent of the
 * nearest ancestor named after the run (experiments/<name>/<id>/, or a sweep's experiments/<name>/<sweep
 * id>/<point>/); null when the folders do not follow that layout.
 */
export function experimentsRootOf(runDir: string, name: string): string | null {
  let dir = resolve(runDir, '..');
  for (let up = 0; up < 3; up++, dir = resolve(dir, '..')) {
    if (basename(dir) === name) return resolve(dir, '..');
  }
  return null;
}
