import type { RunSummary } from '../catalog/run-summary.js';
import type { LatentKnowledgeMetrics, SampleQualityMetrics } from '../../run/eval-metrics.js';
import { classifierName } from '../beyond-summary.js';
import { html, type SafeHtml } from '../figures/html.js';
import { shareBars } from '../figures/share-bars.js';
import { percent } from '../figures/format.js';
import { sortableTable, type Cell, type Column } from '../figures/sortable-table.js';
import { runColumns, runRows, type TableInput } from './runs-table.js';

const DASH: Cell = { html: html`—`, sort: null };
const fixed = (v: number | undefined, digits: number): Cell => (v === undefined ? DASH : { html: html`${v.toFixed(digits)}`, sort: v });
const pct = (v: number | undefined): Cell => (v === undefined ? DASH : { html: html`${percent(v)}`, sort: v });

/**
 * The comparison's columns beyond the likelihood, present when any run has the numbers: the FD of prior
 * samples on the reference classifier, precision, recall, the classes among the samples as small bars
 * (sorted by the rarest class's share: a missing mode sorts first), and the latent probes.
 */
export function beyondColumns(runs: readonly RunSummary[], classNames: readonly string[]): Column[] {
  const q = runs.map((r) => r.final.sampleQuality ?? undefined);
  const k = runs.map((r) => r.final.latentKnowledge ?? undefined);
  const cols: Column[] = [];
  const first = runs.find((r) => r.final.sampleQuality !== null);
  if (first !== undefined) cols.push(...qualityColumns(q, classifierName(first.config.data.dataset), classNames));
  const gmm = runs.map((r) => r.final.sampleQualityGmm ?? undefined);
  if (gmm.some((v) => v !== undefined)) {
    const tip = 'the same FD for draws from a mixture fitted to the training means (eval.sampler gmm) in place of the prior: lower is better';
    cols.splice(1, 0, { head: 'FD, ex-post GMM', tip, numeric: true, better: 'lower', cells: gmm.map((v) => fixed(v?.fd.samples, 1)) });
  }
  if (k.some((v) => v !== undefined)) cols.push(...knowledgeColumns(k));
  return cols;
}

function qualityColumns(q: readonly (SampleQualityMetrics | undefined)[], classifier: string, classNames: readonly string[]): Column[] {
  const on = `on the ${classifier}'s features`;
  return [
    { head: `FD (${classifier})`, tip: `Fréchet distance of the prior samples to the test set ${on}: lower is better`, numeric: true, better: 'lower', cells: q.map((v) => fixed(v?.fd.samples, 1)) },
    { head: 'precision', tip: 'share of the prior samples inside the test images\' manifold (k = 3): higher is better', numeric: true, better: 'higher', cells: q.map((v) => fixed(v?.precision, 3)) },
    { head: 'recall', tip: 'share of the test images inside the samples\' manifold (k = 3): higher is better', numeric: true, better: 'higher', cells: q.map((v) => fixed(v?.recall, 3)) },
    { head: 'classes among samples', tip: 'share of the prior samples the classifier puts in each class (dashes: the test set); sorts by the rarest class\'s share', numeric: true, cells: q.map((v) => sharesCell(v, classNames)) },
  ];
}

function sharesCell(v: SampleQualityMetrics | undefined, classNames: readonly string[]): Cell {
  if (v === undefined) return DASH;
  const bars: SafeHtml = shareBars(v.classShares, classNames, 'share of the prior samples in each class', { reference: v.testShares });
  return { html: bars, sort: Math.min(...v.classShares) };
}

function knowledgeColumns(k: readonly (LatentKnowledgeMetrics | undefined)[]): Column[] {
  const kk = k.find((v) => v !== undefined)?.knnK ?? 5;
  return [
    { head: 'linear probe', tip: 'test accuracy of a logistic regression on the posterior means: higher is better', numeric: true, better: 'higher', cells: k.map((v) => pct(v?.linearProbe)) },
    { head: `${kk}-NN`, tip: `test accuracy of ${kk}-nearest-neighbour voting on the posterior means: higher is better`, numeric: true, better: 'higher', cells: k.map((v) => pct(v?.knn)) },
    { head: 'k-means', tip: 'accuracy of k-means clusters of the test means matched to the classes: higher is better', numeric: true, better: 'higher', cells: k.map((v) => pct(v?.kmeans.accuracy)) },
  ];
}

/**
 * The comparison's second table, beyond the likelihood: the runs and their differing keys again, then sample
 * quality and the latent probes, best values starred; nothing when no run has these numbers.
 */
export function beyondTable(t: TableInput): SafeHtml | false {
  const cols = beyondColumns(t.runs, t.classNames);
  if (cols.length === 0) return false;
  const q = t.runs.find((r) => r.final.sampleQuality !== null)?.final.sampleQuality ?? undefined;
  const note =
    '★ marks the best among completed runs: the lowest FD, the highest precision, recall and probe accuracies. ' +
    (q === undefined ? '' : `Sample quality: ${q.samples.toLocaleString('en-US')} prior samples against as many test images, on the reference classifier's features (docs/evaluation.md); `) +
    'the probes read the labels from the posterior means (linear probe and k-NN fitted on the training means, k-means on the test means, chance about ' +
    `${Math.round(100 / Math.max(1, t.classNames.length))}%).`;
  return html`<h3 class="summary-h">Sample quality and what the latent space knows</h3><div class="figure">${sortableTable([...runColumns(t), ...cols], runRows(t))}</div><p class="note">${note}</p>${classifierNote(t.runs)}`;
}

/** A line under the table when the runs were scored by different classifiers, whose numbers do not compare. */
export function classifierNote(runs: readonly RunSummary[]): SafeHtml | false {
  const hashes = new Set(runs.flatMap((r) => (r.final.sampleQuality === null ? [] : [r.final.sampleQuality.classifier])));
  return hashes.size > 1 && html`<p class="note status-bad">These runs' sample quality was scored by ${hashes.size} different reference classifiers (weights ${[...hashes].map((h) => h.slice(0, 12)).join(', ')}): their FD, precision and recall do not compare.</p>`;
}
