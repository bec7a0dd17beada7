import { html, joinHtml, type SafeHtml } from './html.js';

/** A cell: markup to show and the value it sorts by (null sorts last, whichever the direction). */
export interface Cell {
  html: SafeHtml;
  sort: number | string | null;
}

export interface Column {
  head: string;
  tip?: string; // the header's tooltip: what the number is, and which way is better
  numeric: boolean;
  better?: 'lower' | 'higher'; // marks the best cell(s) of the column
  wrap?: boolean; // long text (ids, sweep points) wraps so the numbers stay on screen
  cells: Cell[]; // one per row
}

/**
 * Indices of the rows holding the column's best value (every row of a tie), among the `ranked` rows (all
 * by default); none without `better`.
 */
function bestRows(col: Column, ranked?: readonly boolean[]): Set<number> {
  if (col.better === undefined) return new Set();
  const values = col.cells.map((c, i) => (ranked?.[i] !== false && typeof c.sort === 'number' && Number.isFinite(c.sort) ? c.sort : null));
  const present = values.filter((v): v is number => v !== null);
  if (present.length < 2) return new Set(); // one number is not a ranking
  const best = col.better === 'lower' ? Math.min(...present) : Math.max(...present);
  return new Set(values.flatMap((v, i) => (v === best ? [i] : [])));
}

/** Text as a cell that sorts by it. */
export const textCell = (s: string): Cell => ({ html: html`${s}`, sort: s });

export interface RowAttrs {
  data: string; // the row's data-run: which run it is, for scripts and tests
  unfinished: boolean; // grayed: a run that did not complete
}

export interface TableOptions {
  rows?: readonly RowAttrs[];
  ranked?: readonly boolean[]; // rows that may hold a best value (an unfinished run's short wall time is no win)
}

/**
 * A table.data whose headers sort it when clicked (SORT_SCRIPT). Each cell carries its sort value in
 * data-v, so a formatted "1 min 35 s" sorts as 95 seconds; a best cell gets class "best" and a star.
 */
export function sortableTable(columns: readonly Column[], opts: TableOptions = {}): SafeHtml {
  const { rows: attrs = [], ranked } = opts;
  const rows = Math.max(0, ...columns.map((c) => c.cells.length));
  const best = columns.map((c) => bestRows(c, ranked));
  const th = columns
    .map((c) => {
      const tip = c.tip !== undefined && html` title="${c.tip}"`;
      // a dotted config key may break after each dot
      const head = joinHtml(c.head.split('.'), html`.<wbr>`);
      return html`<th scope="col" class="${c.numeric ? 'n' : 't'}" data-type="${c.numeric ? 'n' : 't'}"${tip}><button type="button">${head}</button></th>`;
    });
  const body = Array.from({ length: rows }, (_, r) => {
    const tds = columns.map((c, j) => {
      const cell = c.cells[r] ?? { html: html`—`, sort: null };
      const isBest = best[j]!.has(r);
      const classes = [c.numeric ? 'n' : '', isBest ? 'best' : '', c.wrap === true ? 'wrap' : ''].filter((s) => s !== '').join(' ');
      const v = cell.sort !== null && html` data-v="${String(cell.sort)}"`;
      const star = isBest && html` <span class="star" title="best of this column">★</span>`;
      return html`<td${classes !== '' && html` class="${classes}"`}${v}>${cell.html}${star}</td>`;
    });
    const a = attrs[r];
    const rowAttrs = a !== undefined && html` data-run="${a.data}"${a.unfinished && html` class="unfinished"`}`;
    return html`<tr${rowAttrs}>${tds}</tr>`;
  });
  // wide tables (many differing keys) scroll sideways inside the page instead of running off its edge
  return html`<div class="table-scroll"><table class="data sortable"><thead><tr>${th}</tr></thead><tbody>\n${joinHtml(body, '\n')}\n</tbody></table></div>`;
}

/** Styles the tables and the compare figures need beyond the report's stylesheet. */
export const SORTABLE_CSS = `
main { max-width: 92rem; }
main a { color: var(--accent); }
table.sortable th button { font: inherit; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; text-align: inherit; }
table.sortable th button:hover { color: var(--accent); }
table.sortable th[aria-sort="ascending"] button::after { content: " ▲"; font-size: 0.7em; }
table.sortable th[aria-sort="descending"] button::after { content: " ▼"; font-size: 0.7em; }
table.sortable td.best { font-weight: 650; background: #eef6ec; }
table.sortable .star { color: #3d7a2b; font-size: 0.8em; }
table.sortable tr.unfinished td { color: var(--muted); }
table.sortable { font-size: 0.86rem; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table.sortable th, table.sortable td { padding-right: 0.55rem; }
table.sortable th:last-child, table.sortable td:last-child { padding-right: 0; }
table.sortable td { white-space: nowrap; }
table.sortable td.wrap { white-space: normal; min-width: 8rem; max-width: 16rem; overflow-wrap: anywhere; }
.note { color: var(--muted); font-size: 0.9rem; max-width: 52rem; }
.se { color: var(--muted); font-size: 0.85em; }
.status-bad { color: var(--bad); font-weight: 600; }
`;

/**
 * Click a header to sort by it, again to reverse. Rows with no value stay at the bottom both ways. Plain
 * DOM in an inline script: the page is opened from file:// with no network. It waits for the whole page,
 * since it may sit above the tables it sorts.
 */
export const SORT_SCRIPT = `
document.addEventListener('DOMContentLoaded', function () {
document.querySelectorAll('table.sortable').forEach(function (table) {
  var heads = table.querySelectorAll('thead th');
  heads.forEach(function (th, col) {
    th.querySelector('button').addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      var numeric = th.getAttribute('data-type') === 'n';
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
        if (x === null || y === null) return (x === null) - (y === null);
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, { numeric: true });
        return dir * c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    });
  });
});
});
`;
