import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * comparison.json: what a comparison leaves in its folder for the index page to list, and what `compare`
 * was given. Written by compare/build.ts, read here, so the format has one definition.
 */
export const COMPARISON_FORMAT = 1;

export interface ComparisonRecord {
  formatVersion: number;
  id: string;
  createdAt: string;
  keys: string[];
  runs: { runDir: string; name: string; id: string; label: string; status: string }[];
}

/** Every <reportsRoot>/compare/<id>/comparison.json; one that cannot be read is named in `unreadable` with the reason. */
export function readComparisonRecords(reportsRoot: string, unreadable: string[]): ComparisonRecord[] {
  const dir = resolve(reportsRoot, 'compare');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !/\.(next|prev)$/.test(e.name))
    .flatMap((e) => {
      const path = join(dir, e.name, 'comparison.json');
      try {
        return [JSON.parse(readFileSync(path, 'utf8')) as ComparisonRecord];
      } catch (err) {
        unreadable.push(`${path}: ${(err as Error).message}`);
        return [];
      }
    });
}
