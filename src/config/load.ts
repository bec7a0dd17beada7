import { dirname, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { core } from 'zod';
import { ConfigError, VaelabError, type ConfigIssue } from '../errors.js';
import { duplicateKeys, locate, parseSource, type YamlSource } from './locate.js';
import { clip, describeIssue, kindOf } from './describe.js';
import { ARCHS, ConfigSchema, modelKeys, type Arch, type Config } from './schema.js';
import { upgradeModelSection } from './upgrade.js';
import { modelFamilies } from './model-sections.js';
import { readTextFile } from './read-text.js';
import { deepMerge, FORBIDDEN, forbiddenKey, isRecord } from './raw.js';
import { didYouMean } from './suggest.js';
import { memoryProblems } from './size-bound.js';
import { sweepProblems } from './sweep.js';

type Raw = Record<string, unknown>;

const MAX_CONFIG_BYTES = 1 << 20;
const MAX_ISSUES = 50; // more than this is a wrong file, not a config with typos: and each costs a YAML walk
export interface LoadedConfig {
  config: Config;
  /** The config file's folder: relative paths in the config (data.dir) resolve against it. */
  baseDir: string;
  file: string;
}

export interface LoadOptions {
  /** `key.path=value` overrides, values parsed as YAML scalars (`--set` on the command line). */
  set?: readonly string[];
  /** A sweep with more points is refused (default MAX_SWEEP_POINTS). */
  maxSweepPoints?: number;
  /** Brings a config written by an older vaelab up to date before it is validated (run directories). */
  upgrade?: (raw: Record<string, unknown>) => void;
  /** false: skip the memory bound (a run already trained, read for a report; default true). */
  memoryBound?: boolean;
}

/** YAML file -> (extends) -> (--set) -> strict schema parse. Every problem is reported at once. */
export function loadConfig(file: string, options: LoadOptions = {}): LoadedConfig {
  // JavaScript callers get a message, not resolve()'s TypeError or a string's --set read char by char
  if (typeof file !== 'string' || file === '') throw new VaelabError(`loadConfig: expected a config file path, found ${kindOf(file)}`);
  if (options.set !== undefined && !(Array.isArray(options.set) && options.set.every((s) => typeof s === 'string'))) throw new VaelabError(`loadConfig: options.set must be a list of "key.path=value" strings, found ${kindOf(options.set)}`);
  const sources: YamlSource[] = [];
  const raw = readWithExtends(resolve(file), sources, []);
  options.upgrade?.(raw);
  const setPaths = applyOverrides(raw, options.set ?? []);
  const config = validate(raw, sources, setPaths, options.maxSweepPoints, options.memoryBound ?? true);
  const baseDir = dirname(resolve(file));
  // The resolved config is saved with the run: an absolute data.dir keeps the run self-describing, and
  // means the same in every sweep point, on resume and in a report rebuilt later from another folder.
  if (config.data.dir !== null) config.data.dir = resolve(baseDir, config.data.dir);
  resolveSweptPaths(config, baseDir);
  return { config, baseDir, file };
}

/** Swept data.dir values, resolved against the config file as data.dir itself is. */
function resolveSweptPaths(config: Config, baseDir: string): void {
  const abs = (v: unknown) => (typeof v === 'string' ? resolve(baseDir, v) : v);
  const spec = config.sweep;
  if (spec === null) return;
  if (Array.isArray(spec)) {
    for (const point of spec) if ('data.dir' in point) point['data.dir'] = abs(point['data.dir']);
  } else if (spec['data.dir'] !== undefined) {
    spec['data.dir'] = spec['data.dir'].map(abs);
  }
}

/** Validate an already-built object (library use: a script that builds its config in code). */
export function parseConfig(raw: unknown): Config {
  try {
    // validate brings an old model section up to date in place: the caller's object stays as given
    return validate(structuredClone(raw), [], new Set());
  } catch (err) {
    // no file and no --set: the values came in the object itself
    if (err instanceof ConfigError) throw new ConfigError(err.issues.map((i) => (i.file === null ? { ...i, file: 'config object' } : i)));
    throw err;
  }
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function readWithExtends(path: string, sources: YamlSource[], chain: string[]): Raw {
  if (chain.includes(path)) {
    throw new VaelabError(`config extends itself: ${[...chain, path].map(display).join(' -> ')}`);
  }
  const from = chain.length > 0 ? ` (extended from ${display(chain[chain.length - 1]!)})` : '';
  const text = readTextFile(path, { limit: MAX_CONFIG_BYTES, what: 'config', display: `${display(path)}${from}` });
  const src = parseSource(display(path), text);
  const syntax = [
    ...src.doc.errors.map((e) => ({ offset: e.pos[0], message: e.message.split('\n')[0]! })),
    ...duplicateKeys(src).map((d) => ({ offset: d.offset, message: `Map keys must be unique ("${d.key}" repeats a key above)` })),
  ];
  if (syntax.length > 0) {
    throw new ConfigError(
      syntax.slice(0, MAX_ISSUES).map(({ offset, message }) => {
        const { line, col } = src.lines.linePos(offset);
        return { file: src.file, line, col, path: '', message: `YAML syntax error: ${message}` };
      }),
    );
  }
  sources.unshift(src); // later files override earlier ones: keep the most specific first
  let value: unknown;
  try {
    // the yaml library refuses alias chains that expand beyond reason (a "billion laughs" file)
    value = src.doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (err) {
    throw new ConfigError([{ file: src.file, line: null, col: null, path: '', message: `cannot read the YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
  const banned = forbiddenKey(value);
  if (banned !== null) {
    const at = locate(src, banned, 'key')?.loc;
    throw new ConfigError([{ file: src.file, line: at?.line ?? null, col: at?.col ?? null, path: banned.join('.'), message: `key "${banned[banned.length - 1]!}" is not allowed` }]);
  }
  if (!isRecord(value)) {
    throw new ConfigError([{ file: src.file, line: 1, col: 1, path: '', message: `expected a mapping of keys, found ${kindOf(value)}` }]);
  }
  const { extends: base, ...rest } = value;
  if (base === undefined) return rest;
  if (typeof base !== 'string') {
    const at = locate(src, ['extends'])?.loc;
    throw new ConfigError([{ file: src.file, line: at?.line ?? null, col: at?.col ?? null, path: 'extends', message: `expected a file path, found ${kindOf(base)}` }]);
  }
  const parent = readWithExtends(resolve(dirname(path), base), sources, [...chain, path]);
  // the child must win over its base in the source order used for locating keys
  const child = sources.splice(sources.indexOf(src), 1);
  sources.unshift(...child);
  return deepMerge(parent, rest);
}

function applyOverrides(raw: Raw, set: readonly string[]): Set<string> {
  const paths = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const item of set) {
    const eq = item.indexOf('=');
    const path = eq > 0 ? item.slice(0, eq).trim() : '';
    if (path === '' || path.split('.').some((p) => p === '')) {
      issues.push({ file: null, line: null, col: null, path: '', message: `--set ${clip(JSON.stringify(item), 80)}: expected key.path=value` });
      continue;
    }
    if (path.split('.').some((p) => FORBIDDEN.has(p))) {
      issues.push({ file: null, line: null, col: null, path, message: 'not a config key' });
      continue;
    }
    let value: unknown;
    try {
      value = parseYaml(item.slice(eq + 1));
    } catch (err) {
      issues.push({ file: null, line: null, col: null, path, message: `--set value is not valid YAML: ${(err as Error).message.split('\n')[0]}` });
      continue;
    }
    const keys = path.split('.');
    let node: Raw = raw;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      node = isRecord(next) ? next : (node[k] = {});
    }
    node[keys[keys.length - 1]!] = value;
    paths.add(path);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return paths;
}

function validate(raw: unknown, sources: YamlSource[], setPaths: Set<string>, maxSweepPoints?: number, memoryBound = true): Config {
  if (isRecord(raw)) upgradeModelSection(raw.model);
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) {
    // a sweep's keys and points are checked once the config itself is sound: they are judged against it
    const problems = sweepProblems(result.data, maxSweepPoints);
    if (problems.length === 0) {
      const tooBig = memoryBound ? memoryProblems(result.data) : [];
      if (tooBig.length === 0) return result.data;
      throw new ConfigError(tooBig.map((p) => place(p.path, p.message, sources, setPaths)));
    }
    throw new ConfigError(problems.map((p) => place(p.path.map(String), p.message, sources, setPaths, p.at)));
  }
  const defaults = ConfigSchema.parse({}) as Raw;
  const all = result.error.issues;
  const total = all.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 1), 0);
  const issues = all.slice(0, MAX_ISSUES).flatMap((issue) => toIssues(issue, { defaults, raw: isRecord(raw) ? raw : {} }, sources, setPaths)).slice(0, MAX_ISSUES);
  if (total > issues.length) issues.push({ file: sources[0]?.file ?? null, line: null, col: null, path: '', message: `... and ${total - issues.length} more problems` });
  throw new ConfigError(issues);
}

/** The keys the mapping at `path` takes: the model section's depend on its family and arch. */
function knownKeys(path: string[], { defaults, raw }: { defaults: Raw; raw: Raw }): { known: string[]; arch: Arch | null; family: string } {
  const model = path.join('.') === 'model' ? valueAt(raw, path) : undefined;
  const family = typeof model?.family === 'string' ? model.family : 'gaussian';
  const arch = model === undefined ? undefined : (model.arch ?? 'mlp');
  if (arch === 'mlp' || arch === 'conv') return { known: modelKeys(arch, family), arch, family };
  return { known: Object.keys(valueAt(defaults, path) ?? {}), arch: null, family };
}

/** Where an unknown model key belongs instead: another arch of the same family, or another family. */
function otherShape(key: string, arch: Arch, family: string): string | null {
  const a = ARCHS.find((x) => x !== arch && modelKeys(x, family).includes(key));
  if (a !== undefined) return `"${key}" is a key of arch ${a}, not of arch ${arch}`;
  const f = modelFamilies().find((x) => x !== family && modelKeys(arch, x).includes(key));
  return f === undefined ? null : `"${key}" is a key of model.family ${f}, not of ${family}`;
}

function toIssues(issue: core.$ZodIssue, context: { defaults: Raw; raw: Raw }, sources: YamlSource[], setPaths: Set<string>): ConfigIssue[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const { known, arch, family } = knownKeys(path, context);
    return issue.keys.slice(0, MAX_ISSUES).map((long) => {
      const key = clip(long, 60); // a 1 MB key is quoted as its start, in the message and in the path
      const other = arch === null ? null : otherShape(key, arch, family);
      const hint = didYouMean(key, known);
      const what = other ?? `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
      return { ...place([...path, long], `${what}; expected one of: ${known.join(', ')}`, sources, setPaths, 'key'), path: [...path, key].join('.') };
    });
  }
  return [place(path, describeIssue(issue), sources, setPaths)];
}

function place(
  path: string[],
  message: string,
  sources: YamlSource[],
  setPaths: Set<string>,
  at: 'key' | 'value' = 'value',
): ConfigIssue {
  const dotted = path.join('.');
  if ([...setPaths].some((p) => dotted === p || dotted.startsWith(p + '.'))) {
    return { file: null, line: null, col: null, path: dotted, message };
  }
  let fallback: ConfigIssue | null = null;
  for (const src of sources) {
    const hit = locate(src, path, at);
    if (hit?.exact) return { ...hit.loc, path: dotted, message };
    if (hit && fallback === null) fallback = { ...hit.loc, path: dotted, message };
  }
  return fallback ?? { file: sources[0]?.file ?? null, line: null, col: null, path: dotted, message };
}

function valueAt(obj: Raw, path: string[]): Raw | undefined {
  let node: unknown = obj;
  for (const k of path) node = isRecord(node) ? node[k] : undefined;
  return isRecord(node) ? node : undefined;
}
