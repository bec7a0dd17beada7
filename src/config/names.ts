import { createHash } from 'node:crypto';

const MAX_LENGTH = 100; // well under every filesystem's 255-byte limit, with room for suffixes

/**
 * The one rule for a name that becomes a folder (a run's name and id, a comparison id): letters, digits,
 * `.`, `_`, `-`, starting with a letter or digit. No separator and no leading dot, so neither `/abs`
 * nor `..` can pass, whether the name came from a config or from a run.json someone else wrote.
 */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const SAFE_NAME_RULE = 'letters, digits, ".", "_" or "-", starting with a letter or digit';

export function isSafeName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_LENGTH && SAFE_NAME.test(name);
}

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
