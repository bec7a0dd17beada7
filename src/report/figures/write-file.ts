import { writeFileSync } from 'node:fs';
import { VaelabError } from '../../errors.js';
import { storageCause } from '../../run/paths.js';

/**
 * Every file a report or comparison writes goes through here. A full disk or a folder it may not write
 * is the user's to fix, not a bug: it becomes one line naming the file and the cause, never a stack
 * (Node's ENOSPC from a write names no file, so the path is added here).
 */
export function writeReportFile(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw reportWriteError(path, err);
  }
}

/** A storage failure as a user error naming `path`; any other error as it is. */
export function reportWriteError(path: string, err: unknown): unknown {
  const cause = storageCause(err);
  return cause === null ? err : new VaelabError(`cannot write ${path} (${cause})`);
}
