import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../run/atomic.js';
import { isSweepDir } from '../../run/sweep-file.js';
import { escapeHtml, page, type SectionHtml } from '../figures/html.js';
import { SORT_SCRIPT, SORTABLE_CSS, sortableTable, type Cell, type Column } from '../figures/sortable-table.js';
import { readComparisonRecords, type ComparisonRecord } from './comparison-record.js';
import { findRunDirs } from './discover.js';
import { pageLink, readRunSummary, reportCommand, runReportPath, shortDate, type RunSummary } from './run-summary.js';

export interface IndexResult {
  indexPath: string;
  runs: number;
  comparisons: number;
  unreadable: string[]; // "<dir>: <why>" for run directories and comparisons that could not be read
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const text = (s: string): Cell => ({ html: escapeHtml(s), sort: s });
const number = (v: number | null, digits = 0): Cell => (v === null ? { html: '—', sort: null } : { html: v.toFixed(digits), sort: v });

/** " · latentDim=2 of sweep-1a2b3c4d" for a sweep's point, so a sweep's rows say which point they are. */
function sweepPoint(runDir: string): string {
  const sweep = resolve(runDir, '..');
  return isSweepDir(sweep) ? ` · ${basename(runDir)} of ${basename(sweep)}` : '';
}

function runsTable(runs: readonly RunSummary[], indexDir: string, reportsRoot: string): string {
  const m = (r: RunSummary) => r.config.model;
  const cols: Column[] = [
    { head: 'date', tip: 'when the run started (UTC)', numeric: false, cells: runs.map((r) => ({ html: escapeHtml(shortDate(r.info.createdAt)), sort: r.info.createdAt })) },
    {
      head: 'run',
      tip: 'name / run id; links to its report',
      numeric: false,
      wrap: true,
      cells: runs.map((r) => ({
        html: `${pageLink(indexDir, runReportPath(reportsRoot, r.info), r.info.name, reportCommand(r.runDir, reportsRoot))}<br><span class="se">${escapeHtml(r.info.id + sweepPoint(r.runDir))}</span>`,
        sort: `${r.info.name}/${r.info.id}`,
      })),
    },
    { head: 'kind', numeric: false, cells: runs.map((r) => text(m(r).kind)) },
    { head: 'arch', numeric: false, cells: runs.map((r) => text(m(r).arch)) },
    { head: 'latentDim', numeric: true, cells: runs.map((r) => number(m(r).latentDim)) },
    { head: 'β', tip: 'loss.beta', numeric: true, cells: runs.map((r) => ({ html: String(r.config.loss.beta), sort: r.config.loss.beta })) },
    { head: 'data', numeric: false, cells: runs.map((r) => text(r.info.dataset === null ? r.config.data.dataset : `${r.info.dataset.name} ${r.info.dataset.train}/${r.info.dataset.test}`)) },
    { head: 'epochs', tip: 'completed / planned', numeric: true, cells: runs.map((r) => ({ html: `${r.info.epochsCompleted} / ${r.info.epochs}`, sort: r.info.epochsCompleted })) },
    { head: 'test −ELBO', tip: 'nats per image (β = 1 form); only runs on the same data compare', numeric: true, cells: runs.map((r) => number(r.final.negElbo, 2)) },
    {
      head: 'status',
      numeric: false,
      cells: runs.map((r) => ({ html: r.info.status === 'completed' ? 'completed' : `<span class="status-bad">${escapeHtml(r.info.status)}</span>`, sort: r.info.status })),
    },
  ];
  const rowAttrs = runs.map((r) => ` data-run="${escapeHtml(`${r.info.name}/${r.info.id}`)}"${r.info.status === 'completed' ? '' : ' class="unfinished"'}`);
  return sortableTable(cols, { rowAttrs });
}

function comparisonsTable(records: readonly ComparisonRecord[], indexDir: string, reportsRoot: string): string {
  const cols: Column[] = [
    { head: 'date', numeric: false, cells: records.map((c) => ({ html: escapeHtml(shortDate(c.createdAt)), sort: c.createdAt })) },
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
 * read is listed by path with the reason, so one broken folder never hides the others.
 */
export function buildIndex(experimentsRoot = 'experiments', reportsRoot = 'reports'): IndexResult {
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
      body: runs.length === 0 ? '<p>No runs yet.</p>' : runsTable(runs, indexDir, reportsRoot),
      caption: 'Newest first; click a header to sort. A run without a report shows the command that builds it in its tooltip.',
    },
    {
      id: 'comparisons', type: 'comparisons', title: `Comparisons (${comparisons.length})`, ok: true,
      body: comparisons.length === 0 ? '<p>No comparisons yet: <code>npx tsx run compare &lt;runDir|sweepDir&gt;...</code></p>' : comparisonsTable(comparisons, indexDir, reportsRoot),
      caption: 'Side-by-side reports of several runs on the same data, newest first.',
    },
  ];
  const problems = unreadable.length === 0 ? '' : `<p class="note">Could not read:</p><ul>${unreadable.map((u) => `<li><code>${escapeHtml(u)}</code></li>`).join('')}</ul>`;
  const html = page({
    title: 'vaelab runs',
    subtitle: `${plural(runs.length, 'run')} under ${experimentsRoot} and ${plural(comparisons.length, 'comparison')}`,
    summary: `<style>${SORTABLE_CSS}</style>\n<p>Every run and comparison, with links to their reports. This page is rebuilt after each run and each comparison.</p>${problems}\n<script>${SORT_SCRIPT}</script>`,
    sections,
    footer: `Generated by vaelab on ${new Date().toISOString()}.`,
  });
  const indexPath = join(indexDir, 'index.html');
  writeFileAtomic(indexPath, html);
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
