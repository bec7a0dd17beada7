import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { VaelabError } from '../errors.js';

// A folder name we write below a root: the charset safePathName produces, so no separator, no `..`.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._=,+-]*$/;

/**
 * `root/seg1/seg2/...` for names that came from data (run.json, comparison.json, a config), refusing any
 * name that could climb out of `root` or point elsewhere. Every output folder built from such a name goes
 * through here, so `report` and `compare` can only ever replace folders inside `--reports`.
 */
export function childPath(root: string, ...segments: string[]): string {
  for (const s of segments) {
    if (!SEGMENT.test(s) || s.length > 120) {
      throw new VaelabError(`refusing to write to ${JSON.stringify(s)} under ${root}: a folder name must be letters, digits and . _ = , + - (starting with a letter or digit)`);
    }
  }
  return join(resolve(root), ...segments);
}

const WORDS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only filesystem',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

// Errors of the filesystem rather than of vaelab: the user frees space or fixes permissions, then resumes.
const STORAGE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EFBIG']);

/**
 * A failed write as a user error naming the file and the cause (exit 2, no stack), when the filesystem
 * is to blame; any other error as it is.
 */
export function storageError(path: string, err: unknown): unknown {
  const c = (err as NodeJS.ErrnoException | null)?.code;
  if (c === undefined || !STORAGE.has(c)) return err;
  return new VaelabError(`cannot write ${path} (${code(err)}); the previous state is kept: free space or fix the folder, then resume`);
}

function code(err: unknown): string {
  const c = (err as NodeJS.ErrnoException).code;
  if (c === undefined) return (err as Error).message;
  return WORDS[c] === undefined ? c : `${c}: ${WORDS[c]}`;
}

/**
 * `mkdir -p` that fails fast. Node 20's `mkdirSync(p, {recursive: true})` never returns under /proc (it
 * retries ENOENT forever in native code, where no signal handler can run), so we walk up to the nearest
 * existing folder ourselves and create the rest one level at a time. `what` names the flag or file the
 * path came from, for the message.
 */
export function ensureDir(path: string, what = 'folder'): string {
  const abs = resolve(path);
  const missing: string[] = [];
  for (let p = abs; ; ) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new VaelabError(`${what} ${path}: cannot use ${p} (${code(err)})`);
      missing.push(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (!isDir) throw new VaelabError(`${what} ${path}: ${p} is a file, not a folder`);
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(dir).isDirectory()) continue; // made meanwhile by another process
      throw new VaelabError(`${what} ${path}: cannot create ${dir} (${code(err)})`);
    }
  }
  return abs;
}

/**
 * An output folder the CLI is about to fill: created if needed, and proven writable now, before any
 * training, so a read-only or virtual filesystem is exit 2 within a second rather than after an epoch.
 */
export function ensureWritableDir(path: string, what: string): string {
  const abs = ensureDir(path, what);
  // access(W_OK) says yes to root on /proc and on many network mounts: only a real file tells.
  const probe = join(abs, `.vaelab-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (err) {
    throw new VaelabError(`${what} ${path}: ${abs} is not writable (${code(err)})`);
  }
  return abs;
}

/** Where a run's report goes: <reportsRoot>/<name>/<run id>/. The one rule, for buildReport and for every link to it. */
export function reportDirOf(reportsRoot: string, info: { name: string; id: string }): string {
  return childPath(reportsRoot, info.name, info.id);
}
