import { createHash } from 'node:crypto';

const MAX_LENGTH = 100; // well under every filesystem's 255-byte limit, with room for suffixes

/**
 * The one place that turns a label (a sweep point such as `latentDim=2,beta=4`) into a folder name: it
 * keeps letters, digits and `. _ = , + -`, replaces anything else with `_` (path separators, spaces,
 * brackets), never starts with `.` or `-`, and shortens long labels with a hash of the whole label so
 * two long labels that share a prefix stay distinct.
 */
export function safePathName(label: string): string {
  let name = label.replace(/[^A-Za-z0-9._=,+-]+/g, '_');
  if (name === '' || /^[.-]/.test(name)) name = `_${name}`;
  if (name.length > MAX_LENGTH) name = `${name.slice(0, MAX_LENGTH - 9)}-${shortHash(label)}`;
  return name;
}

/** 8 hex digits of the SHA-256 of a string: short ids that are stable across runs and machines. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
