import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queueUrl, QUEUE_FILE_LIMIT } from '../../src/cli/queue-url.js';
import { VaelabError } from '../../src/errors.js';
import { tempDir } from '../helpers/tiny.js';

/** The URL and the warnings it gave. */
function resolve(source: Parameters<typeof queueUrl>[0]): { url: string; warnings: string[] } {
  const warnings: string[] = [];
  return { url: queueUrl(source, (w) => warnings.push(w)), warnings };
}

function refusal(source: Parameters<typeof queueUrl>[0]): string {
  try {
    queueUrl(source, () => {});
  } catch (err) {
    expect(err).toBeInstanceOf(VaelabError);
    return (err as Error).message;
  }
  throw new Error(`expected ${source.from} ${source.value} to be refused`);
}

function privateFile(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  chmodSync(file, 0o600);
  return file;
}

describe('the queue URL', () => {
  it('warns, in one line that does not repeat it, when a password arrives on the command line', () => {
    const given = resolve({ from: '--queue', value: 'redis://:hunter2@h:6379' });
    expect(given.url).toBe('redis://:hunter2@h:6379');
    expect(given.warnings).toHaveLength(1);
    expect(given.warnings[0]).toMatch(/^the Redis password in --queue shows in `ps` to every user of this machine: .*--queue-file .*VAELAB_QUEUE/);
    expect(given.warnings[0]).not.toContain('hunter2');
    expect(given.warnings[0]).not.toContain('\n');
    expect(resolve({ from: '--queue', value: 'redis://h:6379/0?password=hunter2' }).warnings).toHaveLength(1);
    expect(resolve({ from: '--queue', value: 'redis://h:6379' }).warnings).toEqual([]);
    expect(resolve({ from: 'VAELAB_QUEUE', value: ' redis://:hunter2@h:6379\n' })).toEqual({ url: 'redis://:hunter2@h:6379', warnings: [] });
  });

  it('reads a --queue-file: one line, surrounding space ignored', () => {
    const dir = tempDir();
    const file = privateFile(dir, 'queue', 'rediss://:hunter2@h:6380\n');
    expect(resolve({ from: '--queue-file', value: file })).toEqual({ url: 'rediss://:hunter2@h:6380', warnings: [] });
  });

  it('warns when the file with a password is readable by other users', () => {
    const file = privateFile(tempDir(), 'queue', 'redis://:hunter2@h:6379\n');
    chmodSync(file, 0o644);
    const { warnings } = resolve({ from: '--queue-file', value: file });
    expect(warnings).toEqual([`--queue-file ${file} holds a password and other users may read it (mode 644): chmod 600 ${file}`]);
  });

  it('refuses a --queue-file that is not a small regular file of one line, without quoting what it holds', () => {
    const dir = tempDir();
    expect(refusal({ from: '--queue-file', value: join(dir, 'none') })).toBe(`cannot read --queue-file ${join(dir, 'none')}: no such file`);
    mkdirSync(join(dir, 'folder'));
    expect(refusal({ from: '--queue-file', value: join(dir, 'folder') })).toMatch(/a directory/);
    expect(spawnSync('mkfifo', [join(dir, 'fifo')]).status).toBe(0);
    expect(refusal({ from: '--queue-file', value: join(dir, 'fifo') })).toMatch(/is a FIFO \(named pipe\), not a regular file/);
    expect(refusal({ from: '--queue-file', value: '/dev/zero' })).toMatch(/is a device, not a regular file/);
    const big = privateFile(dir, 'big', `redis://:${'x'.repeat(QUEUE_FILE_LIMIT)}@h:6379\n`);
    expect(refusal({ from: '--queue-file', value: big })).toMatch(new RegExp(`refusing anything over ${QUEUE_FILE_LIMIT} bytes`));
    expect(refusal({ from: '--queue-file', value: privateFile(dir, 'empty', ' \n') })).toBe(`--queue-file ${join(dir, 'empty')} is empty: it should hold one line, the Redis URL`);
    const two = privateFile(dir, 'two', 'redis://:hunter2@h:1\nredis://:other@h:2\n');
    expect(refusal({ from: '--queue-file', value: two })).toBe(`--queue-file ${two} holds 2 lines: it should hold one, the Redis URL`);
  });
});
