import { basename } from 'node:path';
import { VaelabError } from '../errors.js';
import { safePathName, shortHash } from './names.js';
import { describeIssue } from './describe.js';
import { ARCHS, ConfigSchema, modelKeys, type Arch, type Config, type SweepSpec } from './schema.js';
import { modelFamilies } from './model-sections.js';
import { preFamilyForm, upgradeModelSection } from './upgrade.js';
import { didYouMean } from './suggest.js';

/**
 * A sweep turns one config into several: `sweep: {model.latentDim: [2, 5, 10], loss.beta: [1, 4]}` is the
 * grid of all combinations (first key outermost, values in file order), and a list of mappings is exactly
 * those points. Each point's config is the base config with the point's values set and no sweep.
 */

type Values = Record<string, unknown>;

export interface SweepPoint {
  name: string; // folder name of the point's run, safe for paths (safePathName)
  values: Values; // dotted key -> value
}

export interface PlannedPoint extends SweepPoint {
  config: Config;
}

export interface SweepPlan {
  id: string; // `sweep-<hash of the resolved config>`: the same sweep finds the same folder again
  keys: string[]; // every key some point sets, in first-seen order
  points: PlannedPoint[];
}

/** A problem found in a sweep, at a path (under `sweep`) that loadConfig locates in the YAML. */
export interface SweepProblem {
  path: (string | number)[];
  at: 'key' | 'value';
  message: string;
}

/** More points than this are refused unless asked for (--max-points). */
export const MAX_SWEEP_POINTS = 1000;

// `name` names the sweep's folder, shared by its points; a sweep inside a point makes no sense.
const NOT_SWEEPABLE = new Set(['name', 'sweep']);

/**
 * Dotted paths of the config's leaf keys: what a sweep may set. Those of the base config and the defaults,
 * and every key of every model family's shape, so a point may switch families by setting one of them.
 */
export function sweepableKeys(base: Config | null = null): string[] {
  const keys: string[] = [];
  const walk = (node: Values, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v as Values, path);
      else if (!NOT_SWEEPABLE.has(path) && !keys.includes(path)) keys.push(path);
    }
  };
  walk(ConfigSchema.parse({}) as Values, '');
  if (base !== null) walk(base as unknown as Values, '');
  for (const family of modelFamilies()) for (const arch of ARCHS) for (const k of modelKeys(arch, family)) if (!keys.includes(`model.${k}`)) keys.push(`model.${k}`);
  return keys;
}

/**
 * The families a point's model section may belong to, most likely first: the one it names, else the
 * base's, then any other whose shape has every key the point sets (a null clears a key: configs before
 * model.family said "one stochastic layer" with `intermediate: null`).
 */
function candidateFamilies(model: Values, values: Values, arch: Arch): string[] {
  const base = typeof model.family === 'string' ? model.family : 'gaussian';
  if ('model.family' in values) return [base];
  const set = Object.keys(values).filter((k) => k.startsWith('model.') && values[k] !== null).map((k) => k.split('.')[1]!);
  const fits = (family: string) => set.every((k) => modelKeys(arch, family).includes(k));
  return [base, ...modelFamilies().filter((f) => f !== base && fits(f))];
}

/** The point's model section as a family's shape: the keys it does not take dropped, unless the point set them. */
function shapedFor(model: Values, values: Values, arch: Arch, family: string, base: Config): Values {
  const out: Values = { ...model, family };
  const keep = modelKeys(arch, family);
  const changed = arch !== base.model.arch || family !== base.model.family;
  for (const k of Object.keys(out)) {
    const setByPoint = `model.${k}` in values;
    if (!keep.includes(k) && ((changed && !setByPoint) || out[k] === null)) delete out[k];
  }
  return out;
}

/** The values of every point, in a stable order. */
export function expandSweep(spec: SweepSpec): Values[] {
  if (Array.isArray(spec)) return spec.map((p) => ({ ...p }));
  let points: Values[] = [{}];
  for (const [key, list] of Object.entries(spec)) points = points.flatMap((p) => list.map((v) => ({ ...p, [key]: v })));
  return points;
}

/**
 * Folder names for points: `latentDim=2,beta=4`, a key shortened to its last part unless two swept keys
 * share it; `base` for a point that sets nothing. Names that collide once made safe get a hash suffix.
 */
export function nameSweepPoints(points: Values[]): SweepPoint[] {
  const keys = [...new Set(points.flatMap((p) => Object.keys(p)))];
  const last = (k: string) => k.slice(k.lastIndexOf('.') + 1);
  const label = (k: string) => (keys.filter((o) => last(o) === last(k)).length > 1 ? k : last(k));
  // a folder value (data.dir, absolute once loaded) is named by its last part: dir=fashion, not dir=_home_...
  const shown = (k: string, v: unknown) => (k === 'data.dir' && typeof v === 'string' ? basename(v) : formatValue(v));
  const named = points.map((values) => {
    const text = Object.entries(values).map(([k, v]) => `${label(k)}=${shown(k, v)}`).join(',');
    return { name: safePathName(text === '' ? 'base' : text), values };
  });
  const seen = new Map<string, number>();
  for (const p of named) seen.set(p.name, (seen.get(p.name) ?? 0) + 1);
  return named.map((p) => ((seen.get(p.name) ?? 0) > 1 ? { ...p, name: `${p.name}-${shortHash(canonicalJson(p.values))}` } : p));
}

export function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatValue).join('-');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/**
 * The config of one point: the base with the point's values set and the sweep removed. Not validated.
 * A point that changes model.arch or model.family keeps only the model keys its shape takes (the base's
 * hidden layers mean nothing to a conv point), so `sweep: {model.arch: [mlp, conv]}` works.
 */
export function withValues(config: Config, values: Values): unknown {
  const raw = structuredClone({ ...config, sweep: null }) as Values;
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split('.');
    let node = raw;
    for (const p of parts.slice(0, -1)) node = node[p] as Values;
    node[parts[parts.length - 1]!] = value;
  }
  const model = raw.model as Values;
  upgradeModelSection(model);
  const arch = ARCHS.find((a) => a === model.arch);
  if (arch === undefined) return raw;
  // the first family whose shape makes a valid config of the point (none: the first, whose error is shown)
  const tries = candidateFamilies(model, values, arch).map((family) => ({ ...raw, model: shapedFor(model, values, arch, family, config) }));
  return tries.find((t) => ConfigSchema.safeParse(t).success) ?? tries[0]!;
}

/** Unknown keys, duplicate points, and points whose config does not validate; [] when the sweep is sound. */
export function sweepProblems(config: Config, maxPoints = MAX_SWEEP_POINTS): SweepProblem[] {
  const spec = config.sweep;
  if (spec === null) return [];
  // counted before anything is expanded: a grid of six keys of ten values is a million points
  const count = Array.isArray(spec) ? spec.length : Object.values(spec).reduce((n, list) => n * list.length, 1);
  if (count > maxPoints) {
    return [{ path: ['sweep'], at: 'key', message: `${count} points: more than the limit of ${maxPoints}, which is surely a mistake (raise it with --max-points N)` }];
  }
  const known = sweepableKeys(config);
  const keyPaths: [string, (string | number)[]][] = Array.isArray(spec)
    ? spec.flatMap((p, i) => Object.keys(p).map((k) => [k, ['sweep', i, k]] as [string, (string | number)[]]))
    : Object.keys(spec).map((k) => [k, ['sweep', k]]);
  const unknown = keyPaths.filter(([k]) => !known.includes(k));
  if (unknown.length > 0) {
    return unknown.map(([key, path]) => {
      const why = NOT_SWEEPABLE.has(key) ? `a sweep cannot set "${key}"` : `unknown config key "${key}"`;
      const hint = didYouMean(key, known);
      return { path, at: 'key', message: `${why}${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${known.join(', ')}` };
    });
  }
  const problems = new Map<string, SweepProblem>();
  const add = (p: SweepProblem) => problems.set(`${p.path.join('.')}\u0000${p.message}`, p);
  const points = nameSweepPoints(expandSweep(spec));
  const firstByValues = new Map<string, number>();
  // Two points whose configs come out equal (`{model.latentDim: 2}` beside `{}` on a base of 2) are one run:
  // a local sweep would train it twice, and on the queue they would share one job id and lose a point.
  const firstByConfig = new Map<string, number>();
  points.forEach((point, i) => {
    const id = canonicalJson(point.values);
    const first = firstByValues.get(id);
    if (first !== undefined) add({ path: Array.isArray(spec) ? ['sweep', i] : ['sweep'], at: 'value', message: `points ${first + 1} and ${i + 1} set the same values (${point.name})` });
    firstByValues.set(id, first ?? i);
    const result = ConfigSchema.safeParse(withValues(config, point.values), { reportInput: true });
    if (result.success) {
      const resolved = canonicalJson(result.data);
      const same = firstByConfig.get(resolved);
      if (same === undefined) firstByConfig.set(resolved, i);
      else if (first === undefined) add({ path: Array.isArray(spec) ? ['sweep', i] : ['sweep'], at: 'value', message: duplicateMessage(points, same, i) });
      return;
    }
    for (const issue of result.error.issues) {
      const dotted = issue.path.map(String).join('.');
      const where = Array.isArray(spec) ? ['sweep', i] : ['sweep'];
      const key = Object.keys(point.values).find((k) => dotted === k || dotted.startsWith(`${k}.`));
      if (key !== undefined) {
        const inner = dotted === key ? '' : ` (at ${dotted})`;
        add({ path: [...where, key], at: 'value', message: `value ${JSON.stringify(point.values[key])}${inner}: ${describeIssue(issue)}` });
        continue;
      }
      // An issue elsewhere (data.dir for dataset idx) is blamed on the one swept value that causes it alone.
      const cause = Object.entries(point.values).find(([k, v]) => breaks(config, k, v, dotted));
      if (cause !== undefined) {
        add({ path: [...where, cause[0]], at: 'value', message: `value ${JSON.stringify(cause[1])} makes ${dotted} invalid: ${describeIssue(issue)}` });
      } else {
        add({ path: where, at: 'value', message: `point ${point.name} makes ${dotted || 'the config'} invalid: ${describeIssue(issue)}` });
      }
    }
  });
  return [...problems.values()];
}

function duplicateMessage(points: SweepPoint[], first: number, second: number): string {
  return `points ${first + 1} (${points[first]!.name}) and ${second + 1} (${points[second]!.name}) resolve to the same config: one of them is redundant`;
}

function breaks(config: Config, key: string, value: unknown, dotted: string): boolean {
  const result = ConfigSchema.safeParse(withValues(config, { [key]: value }));
  return !result.success && result.error.issues.some((i) => i.path.map(String).join('.') === dotted);
}

/** Points with their validated configs, and the sweep's id. Call on a config that passed sweepProblems. */
export function planSweep(config: Config): SweepPlan {
  if (config.sweep === null) throw new Error('planSweep: the config has no sweep');
  const points = nameSweepPoints(expandSweep(config.sweep)).map((p) => ({ ...p, config: ConfigSchema.parse(withValues(config, p.values)) }));
  // sweepProblems compares configs before loadConfig resolves folders: `data.dir: [good, ./good]` meet only here
  const seen = new Map<string, number>();
  points.forEach((p, i) => {
    const resolved = canonicalJson(p.config);
    const first = seen.get(resolved);
    if (first !== undefined) throw new VaelabError(duplicateMessage(points, first, i));
    seen.set(resolved, i);
  });
  const keys = [...new Set(points.flatMap((p) => Object.keys(p.values)))];
  return { id: sweepId(config), keys, points };
}

/**
 * `sweep-<8 hex>` from the whole resolved config, so rerunning the same sweep resumes it in place (the
 * config in its form before model.family, so a sweep made then keeps its id).
 */
export function sweepId(config: Config): string {
  return `sweep-${shortHash(canonicalJson(preFamilyForm(config)))}`;
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
