import { readFileSync } from 'node:fs';
import { VaelabError } from '../errors.js';

/**
 * Reads one of the run directory's JSON files and refuses a format this vaelab does not know, so an old
 * or damaged file ends in a message naming it rather than in a crash halfway through a resume or report.
 */
export function readVersionedJson<T extends { formatVersion: number }>(path: string, what: string, version: number): T {
  let value: T;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new VaelabError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (value.formatVersion !== version) {
    throw new VaelabError(`${path}: ${what} format ${String(value.formatVersion)}, this vaelab reads format ${version}`);
  }
  return value;
}
