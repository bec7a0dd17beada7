import { join } from 'node:path';
import pino from 'pino';
import { openNoFollow } from './no-follow.js';
import { ensureDir, storageError } from './paths.js';

/**
 * The run's logger: every record goes to <runDir>/log.jsonl (synchronous writes, so the file is complete
 * up to the moment of a crash); the caller may add a console stream (the CLI adds pretty output).
 */
export function runLogger(runDir: string, consoleStream?: pino.DestinationStream): { log: pino.Logger; close(): void } {
  // our own descriptor, opened without following a link (no-follow.ts); the file stream closes it
  const path = join(runDir, 'log.jsonl');
  ensureDir(runDir);
  let fd: number;
  try {
    fd = openNoFollow(path, 'append');
  } catch (err) {
    throw storageError(path, err);
  }
  const file = pino.destination({ dest: fd, sync: true });
  const streams: pino.StreamEntry[] = [{ stream: file, level: 'debug' }];
  if (consoleStream !== undefined) streams.push({ stream: consoleStream, level: 'info' });
  const log = pino({ level: 'debug', base: undefined }, pino.multistream(streams));
  return {
    log,
    // the file's descriptor is ours to close: a sweep or a test suite runs many runs in one process
    close: () => {
      log.flush();
      file.destroy();
    },
  };
}
