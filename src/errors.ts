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
    return `  ${where}${key} ${i.message}`;
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
