import type { Config } from '../../config/schema.js';
import { VaelabError } from '../../errors.js';
import { families } from '../../models/families/index.js';
import type { KeyDisplay } from '../../models/family.js';
import type { RunSummary } from '../catalog/run-summary.js';

/**
 * Keys that never explain a difference in results: the run's name (its own column), the report and sweep
 * settings, and batch sizes that only bound memory. The backend asked for is replaced by the one that
 * ran, which the table shows as a metric.
 */
const IGNORED = new Set(['name', 'backend', 'report.stages', 'sweep', 'train.evalBatchSize', 'eval.iwaeBatchSize']);

/**
 * Leaves of a config as dotted paths in schema order; lists are leaves (hidden: [256, 128]), and so is
 * every path in `whole`, a section compared as one value.
 */
export function flatten(value: unknown, prefix = '', whole: ReadonlySet<string> = new Set()): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !whole.has(prefix)) {
    for (const [k, v] of Object.entries(value)) {
      for (const [path, leaf] of flatten(v, prefix === '' ? k : `${prefix}.${k}`, whole)) out.set(path, leaf);
    }
  } else {
    out.set(prefix, value);
  }
  return out;
}

export function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatValue).join('-');
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The value at a dotted path of a config (a leaf or a whole section), undefined where there is none. */
export function valueAt(config: unknown, key: string): unknown {
  let v: unknown = config;
  for (const part of key.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/**
 * Sections that are null in one config and set in another (one stochastic layer against two): their
 * leaves mean nothing where the section is off, so they differ as one key.
 */
function switchedSections(configs: readonly Config[]): Set<string> {
  const paths = new Set<string>();
  const walk = (values: unknown[], prefix: string) => {
    const objects = values.filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v)) as Record<string, unknown>[];
    if (objects.length === 0) return;
    if (prefix !== '' && values.some((v) => v === null)) {
      paths.add(prefix);
      return;
    }
    for (const k of new Set(objects.flatMap((o) => Object.keys(o)))) walk(objects.map((o) => o[k] ?? null), prefix === '' ? k : `${prefix}.${k}`);
  };
  walk([...configs], '');
  return paths;
}

/**
 * The dotted keys whose values are not the same in every config, in schema order. model.family is left
 * out where the family's own keys that differ already tell every two families apart in words (one
 * stochastic layer against two); with a third family it stays.
 */
export function differingKeys(configs: readonly Config[]): string[] {
  const whole = switchedSections(configs);
  const flat = configs.map((c) => flatten(c, '', whole));
  const keys = [...new Set(flat.flatMap((f) => [...f.keys()]))];
  const differ = keys.filter((k) => !IGNORED.has(k) && new Set(flat.map((f) => JSON.stringify(f.get(k) ?? null))).size > 1);
  const shown = differ.filter((k) => keyDisplay(k) !== undefined);
  const family = (f: Map<string, unknown>) => JSON.stringify(f.get('model.family') ?? null);
  const value = (f: Map<string, unknown>) => JSON.stringify(shown.map((k) => f.get(k) ?? null));
  // the family's own keys say it only for two families whose configs always differ in them too; with more,
  // a run of the default family reads as a row of dashes, and its name says it better
  const twoFamilies = new Set(flat.map(family)).size <= 2;
  // and only when each run's own keys say something of it (a run of the default family says nothing of model.mmd)
  const speaks = (f: Map<string, unknown>) => shown.some((k) => keyDisplay(k)!.shown(f.get(k) ?? null) !== '');
  const told = twoFamilies && shown.length > 0 && flat.every(speaks) && flat.every((a) => flat.every((b) => family(a) === family(b) || value(a) !== value(b)));
  return told ? differ.filter((k) => k !== 'model.family') : differ;
}

/** A model family's own words for one of its config keys (keyDisplays), if one has them. */
function keyDisplay(key: string): KeyDisplay | undefined {
  for (const family of families()) if (Object.hasOwn(family.keyDisplays, key)) return family.keyDisplays[key];
  return undefined;
}

/** How a key's value reads in legends and labels; a section names its parts. */
export function shownValue(key: string, v: unknown): string {
  const own = keyDisplay(key);
  if (own !== undefined) return own.shown(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v).map(([k, x]) => `${k} ${formatValue(x)}`).join(', ');
  }
  return formatValue(v);
}

/** A key's column in the runs table: its head and its value in a narrow cell. */
export function tableColumn(key: string): { head: string; cell: (v: unknown) => string } {
  const own = keyDisplay(key);
  if (own !== undefined) return { head: own.head, cell: own.cell };
  return { head: key, cell: (v) => shownValue(key, v) };
}

/** The last segment of a dotted key, or the whole key when another key shares that segment. */
function shortKeys(keys: readonly string[]): string[] {
  const last = keys.map((k) => k.slice(k.lastIndexOf('.') + 1));
  return keys.map((k, i) => (last.filter((l) => l === last[i]).length > 1 ? k : last[i]!));
}

/**
 * One short, unique label per run from its differing keys ("latentDim 2, beta 4"), for legends and row
 * titles. Runs whose configs agree (the same config run twice) fall back to their run ids.
 */
export function runLabels(runs: readonly RunSummary[], keys: readonly string[]): string[] {
  const names = shortKeys(keys);
  const labels = runs.map((r) =>
    keys
      .map((k, i) => (keyDisplay(k) !== undefined ? shownValue(k, valueAt(r.config, k)) : `${names[i]} ${shownValue(k, valueAt(r.config, k))}`))
      .filter((part) => part !== '') // a family's key says nothing of a run of another family
      .join(', '),
  );
  return labels.map((l, i) => {
    const run = runs[i]!;
    if (l === '') return new Set(runs.map((r) => r.info.name)).size === runs.length ? run.info.name : run.info.id;
    return labels.filter((o) => o === l).length > 1 ? `${l} (${run.info.id})` : l;
  });
}

function dataOf(r: RunSummary): string {
  const d = r.config.data;
  const counts = r.info.dataset === null ? '' : `, ${r.info.dataset.train} training / ${r.info.dataset.test} test images`;
  const limits = `trainLimit ${formatValue(d.trainLimit)}, testLimit ${formatValue(d.testLimit)}`;
  return `${d.dataset}${d.dir === null ? '' : ` from ${d.dir}`} (${limits}${counts})`;
}

/**
 * Runs compare only on the same images: the same dataset, folder and slices. The message names the first
 * run and the first that differs from it, with what each was trained on.
 */
export function checkSameData(runs: readonly RunSummary[]): void {
  const [first, ...rest] = runs;
  if (first === undefined) return;
  const source = (r: RunSummary) => JSON.stringify(r.config.data);
  // A run that stopped before loading its data recorded no counts; its config still says what it used.
  const counts = (r: RunSummary) => (r.info.dataset === null ? null : `${r.info.dataset.train}/${r.info.dataset.test}`);
  for (const r of rest) {
    const [a, b] = [counts(first), counts(r)];
    if (source(r) !== source(first) || (a !== null && b !== null && a !== b)) {
      throw new VaelabError(
        `cannot compare runs trained on different data:\n  ${first.runDir}: ${dataOf(first)}\n  ${r.runDir}: ${dataOf(r)}\n` +
          'compare runs of one dataset at a time',
      );
    }
  }
}
