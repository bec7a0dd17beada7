import { join } from 'node:path';
import { selectBackend } from '../../backend/select.js';
import type { BackendRequest } from '../../config/schema.js';
import { loadDataset } from '../../data/datasets.js';
import { describeErrorForLog, errorKind, VaelabError } from '../../errors.js';
import { replaceDirAtomic, writeJsonAtomic } from '../../run/atomic.js';
import { childPath } from '../../run/paths.js';
import { checkReportable } from '../../run/run-check.js';
import { shortHash } from '../../config/names.js';
import { COMPARISON_FORMAT, type ComparisonRecord } from '../catalog/comparison-record.js';
import { expandRunDirs } from '../catalog/discover.js';
import { buildIndex } from '../catalog/index-page.js';
import { displayRunDir, hidePaths, type KnownPath } from '../catalog/display-path.js';
import { lockReportTarget } from '../catalog/report-lock.js';
import { readRunSummary, type RunSummary } from '../catalog/run-summary.js';
import { html, joinHtml, page, raw, type SafeHtml, type SectionHtml } from '../figures/html.js';
import { SORT_SCRIPT, SORTABLE_CSS } from '../figures/sortable-table.js';
import { checkSameData, differingKeys, runLabels } from './differ.js';
import { runsTable } from './runs-table.js';
import { beyondTable } from './beyond-columns.js';
import { latentsReader } from './beta-trends.js';
import { COMPARE_SECTIONS, sectionApplies, sharedPasses } from './registry.js';
import type { CompareContext, FigureOutput } from './sections.js';
import { writeReportFile } from '../figures/write-file.js';
import { familyOf } from '../../models/families/index.js';

export interface CompareOptions {
  /** Backend to decode with instead of the first run's config.backend. */
  backend?: BackendRequest;
  /** Experiments root whose runs <reportsRoot>/index.html lists, rebuilt afterwards; null leaves it alone. */
  experiments?: string | null;
  log?: (message: string) => void;
}

export interface ComparisonResult {
  id: string;
  indexPath: string;
  runDirs: string[]; // absolute, in table order
  failed: { title: string; error: string }[]; // figures that could not be drawn
}

/** "vae-mlp-z2+vae-mlp-z10-1a2b3c4d": readable names, then a hash of the exact set of runs. */
function comparisonId(runs: readonly RunSummary[]): string {
  const names = [...new Set(runs.map((r) => r.info.name))];
  const prefix = names.length <= 3 ? names.join('+') : `${names[0]!}+${names.length - 1}-more`;
  const set = runs.map((r) => `${r.info.name}/${r.info.id}`).sort().join('\n');
  return `${prefix.slice(0, 80)}-${shortHash(set)}`;
}

/**
 * The runs to compare. A run without a checkpoint has nothing to draw: named on its own it is refused;
 * found inside a sweep (a point that failed in its first epoch) it is left out and listed on the page,
 * so one early failure does not block the sweep's comparison.
 */
function loadRuns(dirs: readonly string[]): { runs: RunSummary[]; leftOut: string[] } {
  const runs: RunSummary[] = [];
  const leftOut: string[] = [];
  for (const { runDir, named } of expandRunDirs(dirs)) {
    const r = readRunSummary(runDir);
    checkReportable(r.runDir);
    if (r.hasCheckpoint) runs.push(r);
    else if (named) throw new VaelabError(`${runDir} (status ${r.info.status}) has no checkpoint to draw its figures from: it stopped before its first epoch ended; leave it out of the comparison`);
    else leftOut.push(hidePaths(`${displayRunDir(runDir)} (${r.info.status}, no checkpoint${r.info.error === null ? '' : `: ${r.info.error}`})`, [{ path: runDir, keep: 2 }]));
  }
  if (runs.length === 0) throw new VaelabError(`nothing to compare: no run with a checkpoint in ${dirs.join(', ')}`);
  checkSameData(runs);
  return { runs, leftOut };
}

/** The paths a comparison's messages may hold, shortened in its page (display-path.ts). */
function knownPaths(runs: readonly RunSummary[]): KnownPath[] {
  const data = runs[0]?.config.data.dir;
  return [...runs.map((r) => ({ path: r.runDir, keep: 2 })), ...(data === null || data === undefined ? [] : [{ path: data, keep: 1 }])];
}

async function attempt(id: string, title: string, draw: () => Promise<FigureOutput>, c: CompareContext): Promise<SectionHtml> {
  try {
    const out = await draw();
    return { id, type: id, title: out.title, ok: true, body: out.body, caption: out.caption };
  } catch (err) {
    if (errorKind(err) === 'bug') c.log(`compare: ${title} failed: ${describeErrorForLog(err)}`);
    return { id, type: id, title, ok: false, error: hidePaths(err instanceof Error ? `${err.name}: ${err.message}` : String(err), knownPaths(c.runs)) };
  }
}

/** How the IWAE numbers were made: a smaller K or subset than the test set's −ELBO, so say so. */
function iwaeNote(runs: readonly RunSummary[]): string {
  const settings = [...new Set(runs.flatMap((r) => (r.final.iwae === null ? [] : [`K = ${r.final.iwae.samples} importance samples on the first ${r.final.iwae.images} test images`])))];
  if (settings.length === 0) return '';
  return ` IWAE NLL: ${settings.join('; ')}${settings.length > 1 ? ' (the runs differ: compare with care)' : ''}; it is a tighter bound than the −ELBO, so it should sit below it.`;
}

/** What the table must say of the runs of a family whose KL is not the closed form (compareNote 'kl'), per family. */
function klNotes(c: CompareContext): string {
  const byNote = new Map<string, RunSummary[]>();
  for (const r of c.runs) {
    const note = familyOf(r.config.model).compareNote('kl');
    if (note !== '') byNote.set(note, [...(byNote.get(note) ?? []), r]);
  }
  return [...byNote].map(([note, runs]) => {
    const names = [...new Set(runs.map((r) => r.info.name))];
    const whom = runs.length === c.runs.length ? 'Every run has' : `${names.join(', ')} ${runs.length === 1 ? 'has' : 'have'}`;
    return ` ${whom} ${note}`;
  }).join('');
}

function summary(c: CompareContext, keys: readonly string[], leftOut: readonly string[], notDrawn: readonly string[]): SafeHtml {
  const withJson = c.runs.flatMap((r, i) => (r.final.source === 'metrics.json' ? [c.labels[i]!] : []));
  const source =
    withJson.length === c.runs.length
      ? 'from each run\'s end-of-run evaluation (metrics.json).'
      : withJson.length === 0
        ? 'from each run\'s last epoch (metrics.jsonl): these runs have no metrics.json, so no IWAE estimate or active units.'
        : `from the end-of-run evaluation (metrics.json) for ${withJson.join('; ')}, and from the last epoch (metrics.jsonl) for the others.`;
  const problems = c.runs.flatMap((r, i) => (r.final.problem === null ? [] : [`${c.labels[i]!}: ${hidePaths(r.final.problem, knownPaths(c.runs))}`]));
  const torn = c.runs.flatMap((r, i) => (r.tornLastLine ? [c.labels[i]!] : []));
  const unfinished = c.runs.filter((r) => r.info.status !== 'completed').length;
  const differ = keys.length === 0 ? 'Their configs agree on every setting that changes results.' : html`They differ in ${joinHtml(keys.map((k) => html`<code>${k}</code>`), ', ')}.`;
  const table = { runs: c.runs, labels: c.labels, keys, reportsRoot: c.reportsRoot, outDir: c.finalDir, classNames: c.dataset.classNames };
  const note =
    `★ marks the best value of a column among completed runs: the lowest test −ELBO, reconstruction and IWAE NLL ` +
    '(losses: lower is better), the shortest wall time and the most samples/s. KL and active units are not ranked: more KL buys ' +
    'better reconstructions, and neither alone makes a better model. Test numbers are nats per image in β = 1 form, ' +
    source +
    (unfinished > 0 ? ` Gray rows are runs that did not complete: their figures come from their last checkpoint.` : '') +
    iwaeNote(c.runs) +
    klNotes(c) +
    (torn.length > 0 ? ` The last line of metrics.jsonl was cut short (the run was killed while writing it) and is left out for ${torn.join('; ')}.` : '') +
    (problems.length > 0 ? ` Unreadable: ${problems.join('; ')}.` : '') +
    (leftOut.length > 0 ? ` Left out: ${leftOut.join('; ')}.` : '') +
    (notDrawn.length > 0 ? ` Not drawn for these runs: ${notDrawn.join('; ')}.` : '');
  return html`<style>${raw(SORTABLE_CSS)}</style>
<p>${c.runs.length} runs on ${c.dataset.name} (${c.dataset.train.count} training, ${c.dataset.test.count} test images). ${differ} Click a column header to sort by it.</p>
<div class="figure">${runsTable(table)}</div>
<p class="note">${note}</p>
${beyondTable(table)}
<script>${raw(SORT_SCRIPT)}</script>`;
}

/** Every section of the registry that applies to these runs, in page order; a failing one fails alone. */
async function drawSections(c: CompareContext): Promise<{ sections: SectionHtml[]; notDrawn: string[] }> {
  const shared = sharedPasses(c);
  const out: SectionHtml[] = [];
  const notDrawn: string[] = [];
  for (const section of COMPARE_SECTIONS) {
    const applies = sectionApplies(section, c);
    if (applies !== true) {
      c.log(`compare: ${section.title} not drawn: ${applies}`);
      notDrawn.push(`${section.title} (${applies})`);
      continue;
    }
    out.push(await attempt(section.id, section.title, () => section.draw(c, shared), c));
  }
  return { sections: out, notDrawn };
}

function comparisonPage(c: CompareContext, id: string, keys: readonly string[], leftOut: readonly string[], sections: SectionHtml[], notDrawn: readonly string[]): string {
  const rebuild = `npx tsx run compare ${c.runs.map((r) => displayRunDir(r.runDir)).join(' ')}`;
  return page({
    title: `Comparison of ${c.runs.length} runs`,
    subtitle: `${id} · ${[...new Set(c.runs.map((r) => r.info.name))].join(', ')}`,
    summary: summary(c, keys, leftOut, notDrawn),
    sections,
    footer: `Generated by vaelab on ${new Date().toISOString()}. Rebuild with: ${rebuild}`,
  });
}

/**
 * Writes <reportsRoot>/compare/<id>/index.html comparing the runs in `dirs` (run directories, or sweep
 * and experiment folders standing for the runs below them). Runs on different data are refused; a
 * figure that fails becomes a failed section, the others still draw.
 */
export async function buildComparison(dirs: readonly string[], reportsRoot = 'reports', opts: CompareOptions = {}): Promise<ComparisonResult> {
  const log = opts.log ?? (() => {});
  const { runs, leftOut } = loadRuns(dirs);
  const keys = differingKeys(runs.map((r) => r.config));
  const labels = runLabels(runs, keys);
  const id = comparisonId(runs);
  const finalDir = childPath(reportsRoot, 'compare', id);
  const first = runs[0]!;
  await selectBackend(opts.backend ?? first.config.backend, log);
  // Every run has the same data (checked above); the resolved config holds an absolute data.dir.
  const dataset = await loadDataset(first.config.data, { baseDir: process.cwd() });
  const failed: ComparisonResult['failed'] = [];
  // A second compare of the same runs waits for the first, then replaces its folder whole.
  const lock = await lockReportTarget(finalDir, `the comparison ${id}`, log);
  try {
    await replaceDirAtomic(finalDir, async (tmp) => {
      const c: CompareContext = { runs, labels, outDir: tmp, finalDir, reportsRoot, dataset, log, latents: latentsReader() };
      const { sections, notDrawn } = await drawSections(c);
      for (const s of sections) if (!s.ok) failed.push({ title: s.title, error: s.error });
      writeReportFile(join(tmp, 'index.html'), comparisonPage(c, id, keys, leftOut, sections, notDrawn));
      const record: ComparisonRecord = {
        formatVersion: COMPARISON_FORMAT,
        id,
        createdAt: new Date().toISOString(),
        keys,
        runs: runs.map((r, i) => ({ runDir: r.runDir, name: r.info.name, id: r.info.id, label: labels[i]!, status: r.info.status })),
      };
      writeJsonAtomic(join(tmp, 'comparison.json'), record);
    });
  } finally {
    lock.release();
  }
  if (opts.experiments !== null) {
    try {
      await buildIndex(opts.experiments ?? 'experiments', reportsRoot, log);
    } catch (err) {
      log(`compare: reports index not rebuilt: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { id, indexPath: join(finalDir, 'index.html'), runDirs: runs.map((r) => r.runDir), failed };
}
