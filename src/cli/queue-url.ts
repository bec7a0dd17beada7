import { statSync } from 'node:fs';
import { readTextFile } from '../config/read-text.js';
import { VaelabError } from '../errors.js';
import { parseQueueUrl } from '../queue/connection.js';
import type { QueueSource } from './args.js';

/** A Redis URL is one line; anything this large is the wrong file. */
export const QUEUE_FILE_LIMIT = 4096;

/**
 * The Redis URL of a queue command, from wherever args.ts found it. A password given with --queue is used,
 * with one warning: every user of the machine reads it in `ps` (the npm, sh and node command lines).
 * Nothing vaelab starts gets the URL on its command line (BullMQ's sandboxed processor and the training
 * processes talk to their parent, not to Redis), and the CLI takes VAELAB_QUEUE out of its environment
 * once read, so they do not inherit it either.
 */
export function queueUrl(source: QueueSource, warn: (line: string) => void): string {
  switch (source.from) {
    case '--queue':
      if (hasPassword(source.value)) {
        warn('the Redis password in --queue shows in `ps` to every user of this machine: put the URL in a file only you can read and give --queue-file PATH, or (worker, status) set VAELAB_QUEUE');
      }
      return source.value;
    case 'VAELAB_QUEUE':
      return source.value.trim();
    case '--queue-file':
      return readQueueFile(source.value, warn);
  }
}

function readQueueFile(path: string, warn: (line: string) => void): string {
  const lines = readTextFile(path, { limit: QUEUE_FILE_LIMIT, what: '--queue-file' })
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  // the file's text is never quoted: it is a secret
  if (lines.length === 0) throw new VaelabError(`--queue-file ${path} is empty: it should hold one line, the Redis URL`);
  if (lines.length > 1) throw new VaelabError(`--queue-file ${path} holds ${lines.length} lines: it should hold one, the Redis URL`);
  const url = lines[0]!;
  const mode = statSync(path).mode & 0o777;
  if (hasPassword(url) && (mode & 0o077) !== 0) warn(`--queue-file ${path} holds a password and other users may read it (mode ${mode.toString(8)}): chmod 600 ${path}`);
  return url;
}

function hasPassword(url: string): boolean {
  try {
    return parseQueueUrl(url).password !== null;
  } catch {
    return false; // not a URL: the command refuses it when it parses it, without quoting the secret
  }
}
