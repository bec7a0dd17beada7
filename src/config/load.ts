import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { core } from 'zod';
import { ConfigError, VaelabError, type ConfigIssue } from '../errors.js';
import { locate, parseSource, type YamlSource } from './locate.js';
import { describeIssue, kindOf } from './describe.js';
import { ConfigSchema, type Config } from './schema.js';
import { didYouMean } from './suggest.js';
import { sweepProblems } from './sweep.js';

type Raw = Record<string, unknown>;

export interface LoadedConfig {
  config: Config;
  /** The config file's folder: relative paths in the config (data.dir) resolve against it. */
  baseDir: string;
  file: string;
}

export interface LoadOptions {
  /** `key.path=value` overrides, values parsed as YAML scalars (`--set` on the command line). */
  set?: readonly string[];
}

/** YAML file -> (extends) -> (--set) -> strict schema parse. Every problem is reported at once. */
export function loadConfig(file: string, options: LoadOptions = {}): LoadedConfig {
  const sources: YamlSource[] = [];
  const raw = readWithExtends(resolve(file), sources, []);
  const setPaths = applyOverrides(raw, options.set ?? []);
  const config = validate(raw, sources, setPaths);
  const baseDir = dirname(resolve(file));
  // The resolved config is saved with the run: an absolute data.dir keeps the run self-describing.
  if (config.data.dir !== null) config.data.dir = resolve(baseDir, config.data.dir);
  return { config, baseDir, file };
}

/** Validate an already-built object (library use: a script that builds its config in code). */
export function parseConfig(raw: unknown): Config {
  return validate(raw, [], new Set());
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function readWithExtends(path: string, sources: YamlSource[], chain: string[]): Raw {
  if (chain.includes(path)) {
    throw new VaelabError(`config extends itself: ${[...chain, path].map(display).join(' -> ')}`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    const from = chain.length > 0 ? ` (extended from ${display(chain[chain.length - 1]!)})` : '';
    throw new VaelabError(`cannot read config ${display(path)}${from}: ${why}`);
  }
  const src = parseSource(display(path), text);
  if (src.doc.errors.length > 0) {
    throw new ConfigError(
      src.doc.errors.map((e) => {
        const { line, col } = src.lines.linePos(e.pos[0]);
        return { file: src.file, line, col, path: '', message: `YAML syntax error: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  sources.unshift(src); // later files override earlier ones: keep the most specific first
  const value: unknown = src.doc.toJS() ?? {};
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

function deepMerge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function applyOverrides(raw: Raw, set: readonly string[]): Set<string> {
  const paths = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const item of set) {
    const eq = item.indexOf('=');
    const path = eq > 0 ? item.slice(0, eq).trim() : '';
    if (path === '' || path.split('.').some((p) => p === '')) {
      issues.push({ file: null, line: null, col: null, path: '', message: `--set ${JSON.stringify(item)}: expected key.path=value` });
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

function validate(raw: unknown, sources: YamlSource[], setPaths: Set<string>): Config {
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) {
    // a sweep's keys and points are checked once the config itself is sound: they are judged against it
    const problems = sweepProblems(result.data);
    if (problems.length === 0) return result.data;
    throw new ConfigError(problems.map((p) => place(p.path.map(String), p.message, sources, setPaths, p.at)));
  }
  const defaults = ConfigSchema.parse({}) as Raw;
  const issues = result.error.issues.flatMap((issue) => toIssues(issue, defaults, sources, setPaths));
  throw new ConfigError(issues);
}

function toIssues(issue: core.$ZodIssue, defaults: Raw, sources: YamlSource[], setPaths: Set<string>): ConfigIssue[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(valueAt(defaults, path) ?? {});
    return issue.keys.map((key) => {
      const hint = didYouMean(key, known);
      const message = `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${known.join(', ')}`;
      return place([...path, key], message, sources, setPaths, 'key');
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

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
