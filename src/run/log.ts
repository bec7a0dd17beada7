import { join } from 'node:path';
import pino from 'pino';

/**
 * The run's logger: every record goes to <runDir>/log.jsonl (synchronous writes, so the file is complete
 * up to the moment of a crash); the caller may add a console stream (the CLI adds pretty output).
 */
export function runLogger(runDir: string, consoleStream?: pino.DestinationStream): pino.Logger {
  const file = pino.destination({ dest: join(runDir, 'log.jsonl'), sync: true, append: true, mkdir: true });
  const streams: pino.StreamEntry[] = [{ stream: file, level: 'debug' }];
  if (consoleStream !== undefined) streams.push({ stream: consoleStream, level: 'info' });
  return pino({ level: 'debug', base: undefined }, pino.multistream(streams));
}
