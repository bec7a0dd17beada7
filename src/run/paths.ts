import { closeSync, mkdirSync, openSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { VaelabError } from '../errors.js';
import { refuseLinks } from './no-follow.js';

// A folder name we write below a root: the charset safePathName produces, so no separator, no `..`.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._=,+-]*$/;

/**
 * `root/seg1/seg2/...` for names that came from data (run.json, comparison.json, a config), refusing any
 * name that could climb out of `root` or point elsewhere. Every output folder built from such a name goes
 * through here, so `report` and `compare` can only ever replace folders inside `--reports`. A folder of
 * those names that is a link (kept by `rsync -a`) is refused too: writing into it would leave `root`.
 */
export function childPath(root: string, ...segments: string[]): string {
  for (const s of segments) {
    if (!SEGMENT.test(s) || s.length > 120) {
      throw new VaelabError(`refusing to write to ${JSON.stringify(s)} under ${root}: a folder name must be letters, digits and . _ = , + - (starting with a letter or digit)`);
    }
  }
  let path = resolve(root);
  for (const s of segments) {
    path = join(path, s);
    refuseLinks([path]);
  }
  return path;
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
  if (c === 'ENAMETOOLONG') return new VaelabError(`cannot write ${path} (${code(err)}): the path is ${Buffer.byteLength(path)} bytes; choose a shorter output folder`);
  if (c === undefined || !STORAGE.has(c)) return err;
  return new VaelabError(`cannot write ${path} (${code(err)}); the previous state is kept: free space or fix the folder, then resume`);
}

/** The cause of a failed write, in words ("ENOSPC: no space left on the device"), when the filesystem is to blame; else null. */
export function storageCause(err: unknown): string | null {
  const c = (err as NodeJS.ErrnoException | null)?.code;
  return c !== undefined && STORAGE.has(c) ? code(err) : null;
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
  return makeDirs(path, what).abs;
}

/** ensureDir, saying which folders it created; a failure part way removes those it made, so nothing is left. */
function makeDirs(path: string, what: string): { abs: string; created: string[] } {
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
  const created: string[] = [];
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
      created.push(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(dir).isDirectory()) continue; // made meanwhile by another process
      removeDirs(created);
      throw new VaelabError(`${what} ${path}: cannot create ${dir} (${code(err)})`);
    }
  }
  return { abs, created };
}

/** Removes folders we just made, deepest first; a failure here never hides the error that called it. */
function removeDirs(created: readonly string[]): void {
  for (const dir of [...created].reverse()) {
    try {
      rmdirSync(dir); // only if empty: another process may have started using it
    } catch {
      return;
    }
  }
}

// Linux's PATH_MAX (4096 bytes with its NUL; macOS 1024), and the most vaelab puts below an output root:
// <name, 100>/<sweep id>/<point, 120>/checkpoint.next/q-h1/weights.bin.tmp-<pid> is under 300 bytes.
const PATH_MAX = process.platform === 'darwin' ? 1024 : 4096;
const NAME_MAX = 255;
const BELOW_ROOT = 512;

/** Refuses a root whose run folders would not fit under the system's path limits, before any folder is made. */
function checkLength(abs: string, path: string, what: string): void {
  const words = 'ENAMETOOLONG: name too long';
  const long = abs.split('/').find((part) => Buffer.byteLength(part) > NAME_MAX);
  if (long !== undefined) throw new VaelabError(`${what} ${path}: too long (${words}): a folder name of ${Buffer.byteLength(long)} bytes (the limit is ${NAME_MAX})`);
  const bytes = Buffer.byteLength(abs);
  if (bytes + BELOW_ROOT >= PATH_MAX) {
    throw new VaelabError(`${what} ${path}: too long (${words}): ${bytes} bytes leave no room for the ${BELOW_ROOT} vaelab may write below it (the system allows ${PATH_MAX - 1}); choose a shorter folder`);
  }
}

/**
 * An output folder the CLI is about to fill: created if needed, and proven writable now, before any
 * training, so a read-only or virtual filesystem or a path too long is exit 2 within a second rather than
 * after an epoch, and leaves no folder behind.
 */
export function ensureWritableDir(path: string, what: string): string {
  checkLength(resolve(path), path, what);
  const { abs, created } = makeDirs(path, what);
  // access(W_OK) says yes to root on /proc and on many network mounts: only a real file tells. 'wx'
  // (O_CREAT | O_EXCL) never follows a link planted at the probe's name.
  const probe = join(abs, `.vaelab-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (err) {
    removeDirs(created);
    throw new VaelabError(`${what} ${path}: ${abs} is not writable (${code(err)})`);
  }
  return abs;
}

/** Where a run's report goes: <reportsRoot>/<name>/<run id>/. The one rule, for buildReport and for every link to it. */
export function reportDirOf(reportsRoot: string, info: { name: string; id: string }): string {
  return childPath(reportsRoot, info.name, info.id);
}
