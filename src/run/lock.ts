import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { VaelabError } from '../errors.js';
import { commandLine, probe } from './processes.js';

/**
 * A lock file that says which process uses a folder: `<path>` holds {pid, host, since}. Taken with an
 * exclusive create, so of two processes only one wins. A lock whose process is gone (kill -9, a crash)
 * is stale and taken over; one held by a live process is respected.
 */
interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

export interface Lock {
  release(): void;
}

function readLock(path: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return null; // gone meanwhile, or torn by a kill while being written: either way nobody holds it
  }
}

/** Whether the process that wrote `info` still runs: only decidable for a lock taken on this machine. */
function holderAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // another machine's process: we cannot tell, so respect it
  const state = probe(info.pid);
  if (state !== 'running') return state === 'denied';
  const command = commandLine(info.pid);
  return command === null ? !existsSync('/proc/self') : command.includes('node'); // a reused pid is not ours
}

/** Creates the lock whole: written beside it, then hard-linked into place (link fails if it exists). */
function tryCreate(path: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    // never through a link left at that name: removed (rm takes the link, not its target), then created
    // exclusively ('wx' fails rather than follow one); link() itself does not follow `path` either
    rmSync(tmp, { force: true });
    writeFileSync(tmp, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockInfo), { flag: 'wx' });
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new VaelabError(`cannot create lock file ${path}: ${(err as Error).message}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Takes the lock at `path`, or fails with a message naming `what` and the holder. With `waitMs`, a live
 * holder is waited for that long first (reports: a second `report` of the same run runs after the first).
 */
export async function acquireLock(path: string, what: string, waitMs = 0): Promise<Lock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (tryCreate(path)) break;
    const info = readLock(path);
    if (info === null || !holderAlive(info)) {
      // stale: move it aside under a name of our own, so two processes recovering it cannot both win
      const aside = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, aside);
        const moved = readLock(aside);
        // another recoverer may have replaced the stale lock with its own live one just before our
        // rename: put that one back (link fails if a newer lock is already there)
        if (moved !== null && (info === null || moved.pid !== info.pid || moved.since !== info.since) && holderAlive(moved)) linkSync(aside, path);
      } catch {
        // another process moved it first; go round and race for the create
      } finally {
        rmSync(aside, { force: true });
      }
      continue;
    }
    if (Date.now() >= deadline) {
      const where = info.host === hostname() ? `process ${info.pid}` : `process ${info.pid} on ${info.host}`;
      throw new VaelabError(`${what} is in use by ${where} since ${info.since} (lock file ${path}; delete it only if no such process runs)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  let held = true;
  return {
    release: () => {
      if (held) rmSync(path, { force: true });
      held = false;
    },
  };
}
