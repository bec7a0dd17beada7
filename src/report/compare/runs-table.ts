import { pageLink, reportCommand, runReportPath, type RunSummary } from '../catalog/run-summary.js';
import { duration } from '../figures/format.js';
import { hidePaths } from '../catalog/display-path.js';
import { html, joinHtml, type SafeHtml } from '../figures/html.js';
import { runColour } from '../figures/palette.js';
import { sortableTable, type Cell, type Column } from '../figures/sortable-table.js';
import { tableColumn, valueAt } from './differ.js';

export interface TableInput {
  runs: readonly RunSummary[];
  labels: readonly string[];
  keys: readonly string[]; // differing config keys
  reportsRoot: string;
  outDir: string; // the comparison's final folder: links are relative to it
  classNames: readonly string[];
}

const DASH = html`—`;
const num = (v: number | null, digits = 2): Cell => (v === null ? { html: DASH, sort: null } : { html: html`${v.toFixed(digits)}`, sort: v });

export function runCell(run: RunSummary, i: number, t: TableInput): Cell {
  const swatch = html`<span class="swatch" style="background:${runColour(i)}"></span>`;
  const link = pageLink(t.outDir, runReportPath(t.reportsRoot, run.info), run.info.name, reportCommand(run.runDir, t.reportsRoot));
  return { html: html`${swatch}${link}<br><span class="se">${run.info.id}</span>`, sort: i };
}

export function keyColumn(key: string, t: TableInput): Column {
  const values = t.runs.map((r) => valueAt(r.config, key));
  const numeric = values.every((v) => typeof v === 'number');
  const { head, cell } = tableColumn(key);
  return {
    head,
    tip: `config key ${key}: differs between these runs`,
    numeric,
    cells: values.map((v) => ({ html: html`${cell(v)}`, sort: numeric ? (v as number) : cell(v) })),
  };
}

function elboCell(run: RunSummary): Cell {
  const { negElbo, negElboStdError } = run.final;
  if (negElbo === null || negElboStdError === null) return num(negElbo);
  return { html: html`${negElbo.toFixed(2)} <span class="se">± ${negElboStdError.toFixed(2)}</span>`, sort: negElbo };
}

function iwaeCell(run: RunSummary): Cell {
  const iwae = run.final.iwae;
  if (iwae === null) return { html: DASH, sort: null };
  if (iwae.stdError === null) return { html: html`${iwae.nll.toFixed(2)}`, sort: iwae.nll };
  return { html: html`${iwae.nll.toFixed(2)} <span class="se">± ${iwae.stdError.toFixed(2)}</span>`, sort: iwae.nll };
}

function iwaeColumn(runs: readonly RunSummary[]): Column {
  const tip = 'importance-weighted estimate of the test −log p(x), nats per image, ± its standard error: lower is better';
  return { head: 'IWAE NLL ± se', tip, numeric: true, better: 'lower', cells: runs.map(iwaeCell) };
}

function activeColumn(runs: readonly RunSummary[]): Column {
  const cells = runs.map((r): Cell => {
    const au = r.final.activeUnits;
    return au === null ? { html: DASH, sort: null } : { html: html`${au.active} / ${au.of}`, sort: au.active };
  });
  return { head: 'active units', tip: 'latent dimensions whose posterior mean varies over the test set (of latentDim): not ranked', numeric: true, cells };
}

function statusCell(run: RunSummary): Cell {
  const { status, error } = run.info;
  const tip = error !== null && html` title="${hidePaths(error, [{ path: run.runDir, keep: 2 }])}"`;
  return { html: status === 'completed' ? html`completed` : html`<span class="status-bad"${tip}>${status}</span>`, sort: status };
}

/** The first columns of every table of runs: the run, linked to its report, and the config keys that differ. */
export function runColumns(t: TableInput): Column[] {
  return [
    { head: 'run', tip: 'name / run id; links to the run\'s own report', numeric: false, wrap: true, cells: t.runs.map((r, i) => runCell(r, i, t)) },
    ...t.keys.map((k) => keyColumn(k, t)),
  ];
}

/** The row attributes and ranking of a table of runs: unfinished runs grayed and never starred. */
export function runRows(t: TableInput) {
  return { rows: t.runs.map((r, i) => ({ data: t.labels[i] ?? '', unfinished: r.info.status !== 'completed' })), ranked: t.runs.map((r) => r.info.status === 'completed') };
}

/** The comparison's table: run, the config keys that differ, then the metrics, best values starred. */
export function runsTable(t: TableInput): SafeHtml {
  const { runs } = t;
  const cols: Column[] = [
    ...runColumns(t),
    { head: 'test −ELBO', tip: 'test negative ELBO, nats per image (β = 1 form), ± its standard error where known: lower is better', numeric: true, better: 'lower', cells: runs.map(elboCell) },
    { head: 'recon', tip: 'test reconstruction term, nats per image: lower is better', numeric: true, better: 'lower', cells: runs.map((r) => num(r.final.recon)) },
    { head: 'KL', tip: 'test KL term, nats per image: a rate, not ranked', numeric: true, cells: runs.map((r) => num(r.final.kl)) },
    // Runs made before metrics.json have neither number: a column of dashes says nothing, so it goes.
    ...(runs.some((r) => r.final.iwae !== null) ? [iwaeColumn(runs)] : []),
    ...(runs.some((r) => r.final.activeUnits !== null) ? [activeColumn(runs)] : []),
    { head: 'epochs', tip: 'epochs completed / planned', numeric: true, cells: runs.map((r) => ({ html: html`${r.info.epochsCompleted} / ${r.info.epochs}`, sort: r.info.epochsCompleted })) },
    { head: 'wall time', tip: 'whole run, evaluation included: lower is better', numeric: true, better: 'lower', cells: runs.map((r) => ({ html: html`${duration(r.info.wallSeconds)}`, sort: r.info.wallSeconds })) },
    {
      head: 'samples/s',
      tip: 'training images per second of optimizer steps: higher is better',
      numeric: true,
      better: 'higher',
      cells: runs.map((r) => (r.info.samplesPerSecond === null ? { html: DASH, sort: null } : { html: html`${Math.round(r.info.samplesPerSecond).toLocaleString('en-US')}`, sort: r.info.samplesPerSecond })),
    },
    { head: 'backend', tip: 'the backend that ran', numeric: false, cells: runs.map((r) => ({ html: html`${r.info.backend?.name ?? '—'}`, sort: r.info.backend?.name ?? null })) },
    { head: 'status', numeric: false, cells: runs.map(statusCell) },
  ];
  // A column every run shares says nothing row by row: it goes into one line under the table instead.
  const shared = ['backend', 'status'].flatMap((head) => {
    const col = cols.find((c) => c.head === head)!;
    const values = new Set(col.cells.map((c) => c.html.toString()));
    return values.size === 1 ? [{ head, value: col.cells[0]!.html }] : [];
  });
  const kept = cols.filter((c) => !shared.some((s) => s.head === c.head));
  const table = sortableTable(kept, runRows(t));
  const note = shared.length > 0 && html`<p class="note">Every run: ${joinHtml(shared.map((s) => html`${s.head} ${s.value}`), ', ')}.</p>`;
  return html`${table}${note}`;
}
