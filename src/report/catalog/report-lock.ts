import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { acquireLock, type Lock } from '../../run/lock.js';
import { ensureDir } from '../../run/paths.js';

/** How long a second writer of the same page waits for the first: a whole report with t-SNE takes a minute or two. */
export const REPORT_LOCK_WAIT_MS = 10 * 60_000;

/**
 * Takes `<target>.lock`, beside the folder or file that is about to be replaced, so two processes writing
 * the same report, comparison or index take turns instead of tearing it (replaceDirAtomic's `.next` and
 * `.prev` siblings are one per target, not per process). A live holder is waited for, and the wait is
 * said in `log` so a command that seems stuck says why; a stale lock (its process is gone) is taken over.
 */
export async function lockReportTarget(target: string, what: string, log: (message: string) => void, waitMs = REPORT_LOCK_WAIT_MS): Promise<Lock> {
  ensureDir(dirname(target));
  const path = `${target}.lock`;
  if (existsSync(path)) log(`${what} is being written by another process (lock file ${path}): waiting up to ${Math.round(waitMs / 60_000)} min for it`);
  return acquireLock(path, what, waitMs);
}
