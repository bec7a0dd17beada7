import { constants, lstatSync, openSync, readlinkSync } from 'node:fs';
import { VaelabError } from '../errors.js';

/**
 * Run, sweep and report folders get copied with their links (`rsync -a`, `cp -a`): a metrics.jsonl that
 * links to another run's file would take our lines. Every file vaelab opens for writing inside such a
 * folder is opened here, with O_NOFOLLOW, so a link is refused instead of followed. (The user's own
 * --out, --reports or run folder may be a link: only what lies inside is held to this.)
 */
export function openNoFollow(path: string, flags: 'append' | 'truncate'): number {
  const how = flags === 'append' ? constants.O_APPEND : constants.O_TRUNC;
  try {
    return openSync(path, constants.O_WRONLY | constants.O_CREAT | how | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    // Linux and macOS say ELOOP for a link under O_NOFOLLOW; FreeBSD says EMLINK
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ELOOP' || code === 'EMLINK') && isLink(path)) throw symlinkError(path);
    throw err;
  }
}

/** Refuses `paths` that are links (files or folders), before anything is written to them (so a refusal leaves all as it was). */
export function refuseLinks(paths: readonly string[]): void {
  for (const p of paths) if (isLink(p)) throw symlinkError(p);
}

export function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false; // absent: nothing to follow
  }
}

function symlinkError(path: string): VaelabError {
  let target = '';
  try {
    target = ` to ${readlinkSync(path)}`;
  } catch {
    // gone meanwhile: the message still names the file
  }
  return new VaelabError(`${path} is a symbolic link${target}: vaelab never writes through a link (it would write outside the folder); replace it with a copy of what it points to, or remove it`);
}
