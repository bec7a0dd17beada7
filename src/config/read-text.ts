import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { VaelabError } from '../errors.js';

/**
 * A small text file a user named (a config, an `extends` base, a file holding a URL), read whole.
 *
 * Only regular files: a device (/dev/zero), a FIFO or a socket reports size 0 to stat and never ends, so the
 * limit is enforced on the bytes actually read, not on what stat says. O_NONBLOCK keeps the open of a FIFO
 * with no writer from blocking; the type check right after it refuses the FIFO.
 */
export function readTextFile(path: string, options: { limit: number; what: string; display?: string }): string {
  const shown = options.display ?? path;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new VaelabError(`cannot read ${options.what} ${shown}: ${reason(err)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new VaelabError(`${options.what} ${shown} is ${kindOfNode(stat)}, not a regular file`);
    if (stat.size > options.limit) throw tooBig(options, shown, `is ${stat.size} bytes`);
    const buffer = Buffer.alloc(options.limit + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      // stat's size can be 0 (/proc) or stale (a growing file): the bytes read are what count
      if (length > options.limit) throw tooBig(options, shown, `holds more than ${options.limit} bytes`);
    }
    return buffer.toString('utf8', 0, length);
  } catch (err) {
    if (err instanceof VaelabError) throw err;
    throw new VaelabError(`cannot read ${options.what} ${shown}: ${reason(err)}`);
  } finally {
    closeSync(fd);
  }
}

function tooBig(options: { limit: number; what: string }, shown: string, found: string): VaelabError {
  return new VaelabError(`${options.what} ${shown} ${found}: refusing anything over ${options.limit} bytes`);
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EISDIR') return 'a directory, not a file';
  return e.code !== undefined ? `${e.code} (${e.message.split(':')[0]})` : String(err);
}

/** What a path that is not a regular file is, in words: a directory, a FIFO (named pipe), a device, a socket. */
export function kindOfNode(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
