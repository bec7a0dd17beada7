/**
 * User errors: bad config, bad data file, unusable output folder, a backend that cannot load.
 * The CLI prints their message (no stack) and exits 2. Anything else is a programming error and keeps
 * its stack.
 */
export class VaelabError extends Error {
  override name = 'VaelabError';
}

/** One problem found in a config, located as precisely as the sources allow. */
export interface ConfigIssue {
  file: string | null; // null when the value came from --set or a default
  line: number | null; // 1-based
  col: number | null; // 1-based
  path: string; // dotted key path, '' for the root
  message: string; // what was found and what was expected
}

export class ConfigError extends VaelabError {
  override name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(formatIssues(issues));
  }
}

function formatIssues(issues: ConfigIssue[]): string {
  const lines = issues.map((i) => {
    const where = i.file === null ? '--set' : i.line === null ? i.file : `${i.file}:${i.line}:${i.col ?? 1}`;
    const key = i.path === '' ? '' : ` ${i.path}:`;
    // the location already says --set: a message that starts with it would print "--set --set"
    const message = i.file === null ? i.message.replace(/^--set /, '') : i.message;
    return `  ${where}${key} ${message}`;
  });
  const n = issues.length;
  return `invalid config (${n} problem${n === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** A bad data file: names the file, the byte offset when it matters, and what was expected. */
export class DataError extends VaelabError {
  override name = 'DataError';
}

/** Training stopped because a loss term became NaN or infinite. */
export class DivergenceError extends VaelabError {
  override name = 'DivergenceError';
}

/** Exit codes of the CLI, and of every job process: 0 done, 1 diverged (or a bug), 2 bad input, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

export type ErrorKind = 'user' | 'divergence' | 'bug';

/** An error as plain data, to cross a thread or process boundary (classes do not survive structured cloning). */
export interface ErrorData {
  kind: ErrorKind;
  name: string; // a bug's class name (TypeError, RangeError...)
  message: string;
  stack: string | null; // kept for bugs only: a user error is its message
}

export function errorKind(err: unknown): ErrorKind {
  return err instanceof DivergenceError ? 'divergence' : err instanceof VaelabError ? 'user' : 'bug';
}

/**
 * The one line a person reads about an error: a user error's message as is; anything else (a bug) with its
 * class name, so a summary says which.
 */
export function describeError(err: unknown): string {
  if (err instanceof VaelabError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** describeError, plus the stack for a bug: what a log gets. */
export function describeErrorForLog(err: unknown): string {
  return errorKind(err) === 'bug' && err instanceof Error && err.stack !== undefined ? err.stack : describeError(err);
}

export function errorData(err: unknown): ErrorData {
  const kind = errorKind(err);
  if (!(err instanceof Error)) return { kind, name: 'Error', message: String(err), stack: null };
  return { kind, name: err.name, message: err.message, stack: kind === 'bug' ? (err.stack ?? null) : null };
}

/** The error an ErrorData stands for, of the same kind, so exit codes and messages survive the trip. */
export function errorFromData(data: ErrorData): Error {
  if (data.kind === 'divergence') return new DivergenceError(data.message);
  if (data.kind === 'user') return new VaelabError(data.message);
  const err = new Error(data.message);
  err.name = data.name;
  if (data.stack !== null) err.stack = data.stack;
  return err;
}

/** The exit code an error ends the CLI with; null for a bug, which keeps its stack and Node's own exit. */
export function exitCodeOf(err: unknown): number | null {
  const kind = errorKind(err);
  return kind === 'divergence' ? EXIT.failed : kind === 'user' ? EXIT.badInput : null;
}
