// Regenerates the README's config reference from the schema: `npm run docs`. A test fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { referenceMarkdown } from '../src/config/reference.js';
import '../src/models/families/index.js'; // every built-in family's keys in the reference

export const START = '<!-- config-reference:start (npm run docs) -->';
export const END = '<!-- config-reference:end -->';

export function withReference(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
  return `${readme.slice(0, a + START.length)}\n${referenceMarkdown()}\n${readme.slice(b)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('README.md', withReference(readFileSync('README.md', 'utf8')));
}
