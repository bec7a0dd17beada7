import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { describeIssue } from '../config/describe.js';
import { VaelabError } from '../errors.js';

/**
 * Reads one of the run directory's JSON files and refuses a format this vaelab does not know, so an old
 * or damaged file ends in a message naming it rather than in a crash halfway through a resume or report.
 * With a schema, every field is checked too: these files may come from someone else's machine, and a
 * value read from them can name a folder (run.json's name and id) or reach a page.
 */
export function readVersionedJson<T extends { formatVersion: number }>(path: string, what: string, version: number, schema?: z.ZodType<T>): T {
  let value: T;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new VaelabError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VaelabError(`${path}: expected a JSON object (a ${what} file), found ${Array.isArray(value) ? 'a list' : String(value)}`);
  }
  if (value.formatVersion !== version) {
    throw new VaelabError(`${path}: ${what} format ${String(value.formatVersion)}, this vaelab reads format ${version}`);
  }
  if (schema === undefined) return value;
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 10).map((i) => `  ${i.path.join('.') || '(top)'}: ${describeIssue(i)}`);
  throw new VaelabError(`${path} is not a valid ${what} file:\n${problems.join('\n')}`);
}
