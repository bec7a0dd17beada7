import { formatValue } from '../config/sweep.js';
import type { SweepFile } from '../run/sweep-file.js';

const percent = (v: number) => `${(100 * v).toFixed(1)}%`;
const BEYOND: { key: 'fd' | 'precision' | 'recall' | 'linearProbe' | 'knn'; head: string; format: (v: number) => string }[] = [
  { key: 'fd', head: 'FD', format: (v) => v.toFixed(1) },
  { key: 'precision', head: 'precision', format: (v) => v.toFixed(3) },
  { key: 'recall', head: 'recall', format: (v) => v.toFixed(3) },
  { key: 'linearProbe', head: 'probe', format: percent },
  { key: 'knn', head: 'k-NN', format: percent },
];

/**
 * The sweep summary as a plain-text table: one row per point with its status, swept values, test -ELBO and
 * IWAE NLL (± standard error, nats per image), active units, the numbers beyond the likelihood where the
 * points have them (FD of prior samples on the reference classifier, precision, recall, linear-probe and
 * k-NN accuracy of the posterior means), and the error of a failed point.
 */
export function formatSweepTable(s: SweepFile): string {
  const short = (k: string) => k.slice(k.lastIndexOf('.') + 1);
  const labels = s.keys.map((k) => (s.keys.filter((o) => short(o) === short(k)).length > 1 ? k : short(k)));
  const pm = (v: number | null, se: number | null) => (v === null ? '-' : se === null ? v.toFixed(2) : `${v.toFixed(2)} ± ${se.toFixed(2)}`);
  // the columns beyond the likelihood appear when some point has them
  const beyond = BEYOND.filter((c) => s.points.some((p) => p.metrics?.[c.key] != null));
  const header = ['point', 'status', ...labels, 'test -ELBO', 'IWAE NLL', 'active', ...beyond.map((c) => c.head), 'error'];
  const rows = s.points.map((p) => [
    p.name,
    p.action === 'skipped' ? 'completed (earlier)' : p.status,
    ...s.keys.map((k) => (k in p.values ? formatValue(p.values[k]) : '-')),
    p.metrics === null ? '-' : pm(p.metrics.testNegElbo, p.metrics.testNegElboStdError),
    p.metrics === null ? '-' : pm(p.metrics.iwaeNll, p.metrics.iwaeStdError),
    p.metrics === null ? '-' : `${p.metrics.activeUnits}/${p.metrics.latentDim}`,
    ...beyond.map((c) => (p.metrics?.[c.key] == null ? '-' : c.format(p.metrics[c.key]!))),
    p.error === null ? '' : oneLine(p.error),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  const done = s.points.filter((p) => p.status === 'completed').length;
  return [`${s.name}/${s.id}: ${s.status}, ${done} of ${s.points.length} points completed`, line(header), ...rows.map(line)].join('\n');
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
