import { homedir } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Paths as pages show them. Reports get shared (mailed, put online), so a page must not carry the folders
 * above the project: a home directory names its user. Inside the working folder a path is shown relative
 * to it, as the reader would type it; outside, only its last `keep` parts after "…/".
 */
export function displayPath(path: string, keep = 1): string {
  const abs = resolve(path);
  const rel = relative(process.cwd(), abs);
  if (rel === '') return '.';
  if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return rel;
  const parts = abs.split(sep).filter((p) => p !== '');
  return parts.length === 0 ? abs : `…/${parts.slice(-keep).join('/')}`;
}

/** A run directory as shown: outside the working folder its last two parts, the run's name and id (or sweep and point), which the page shows anyway. */
export function displayRunDir(runDir: string): string {
  return displayPath(runDir, 2);
}

export interface KnownPath {
  path: string; // absolute
  keep: number; // parts kept outside the working folder, as in displayPath
}

/**
 * An error message with the paths in it shortened as displayPath does: first each known path (a run
 * directory, data.dir), then whatever else sits below the working folder, then the home directory as ~.
 * Messages name files to be useful, and the file's last parts are what a reader needs.
 */
export function hidePaths(text: string, known: readonly KnownPath[] = []): string {
  let out = text;
  for (const k of [...known].sort((a, b) => b.path.length - a.path.length)) {
    if (k.path.length > 1) out = out.split(k.path).join(displayPath(k.path, k.keep));
  }
  const cwd = process.cwd();
  if (cwd !== sep) out = out.split(`${cwd}${sep}`).join('');
  const home = homedir();
  if (home.length > 1) out = out.split(`${home}${sep}`).join(`~${sep}`);
  return out;
}
