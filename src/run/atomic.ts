import { closeSync, existsSync, fsyncSync, mkdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { openNoFollow } from './no-follow.js';
import { ensureDir, storageError } from './paths.js';

/**
 * Writes land whole or not at all: the bytes go to a temp file beside the target, are flushed, and
 * the temp file is renamed over the target (rename is atomic on one filesystem). A kill at any moment
 * leaves either the old file or the new one, never half of one; a failed write (a full disk) removes
 * its temp file and leaves the old one. Neither step follows a link: the temp file is opened with
 * O_NOFOLLOW, and rename replaces a link at `path` itself, never the file it points to.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openNoFollow(tmp, 'truncate');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    removeQuietly(tmp);
    throw storageError(path, err);
  }
}

/** Cleanup after a failure: its own error (the same ENAMETOOLONG, EACCES) must never hide the first one. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing more to do: the caller reports the error that brought us here
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Replaces a whole directory: `fill` writes into a fresh sibling, then the old one is moved aside and
 * the new one moved in. If a kill lands between the two renames, `<dir>.prev` still holds the last
 * good copy and `recoverDir` puts it back. If `fill` fails, the sibling is removed and `dir` is untouched.
 * No link is followed: rmSync removes a link, not what it points to; `fill` writes into a folder made
 * fresh here; the renames move `dir` itself when it is a link.
 */
export async function replaceDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const next = `${dir}.next`;
  const prev = `${dir}.prev`;
  rmSync(next, { recursive: true, force: true });
  ensureDir(dirname(dir));
  try {
    mkdirSync(next);
    await fill(next);
  } catch (err) {
    removeQuietly(next);
    throw storageError(next, err);
  }
  rmSync(prev, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, prev);
  renameSync(next, dir);
  rmSync(prev, { recursive: true, force: true });
}

/** Restores `<dir>` from `<dir>.prev` after a kill between replaceDirAtomic's renames. */
export function recoverDir(dir: string): void {
  const prev = `${dir}.prev`;
  if (!existsSync(dir) && existsSync(prev)) renameSync(prev, dir);
}
