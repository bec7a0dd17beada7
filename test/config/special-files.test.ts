import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { readTextFile } from '../../src/config/read-text.js';
import { tempDir } from '../helpers/tiny.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** The CLI in a child with a deadline: a reader that never ends must fail this test, not hang the suite. */
function cli(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(TSX, ['run.ts', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, CI: 'true' } });
  return { code: r.status, stderr: r.stderr };
}

describe('configs that are not regular files', () => {
  const dir = tempDir();
  const fifo = join(dir, 'pipe.yaml');
  execFileSync('mkfifo', [fifo]);
  writeFileSync(join(dir, 'zero.yaml'), 'extends: /dev/zero\n');
  writeFileSync(join(dir, 'fifo.yaml'), `extends: ${fifo}\n`);

  it('a device, as the config or its base, is refused at once (exit 2), never read', () => {
    const direct = cli(['/dev/zero']);
    expect(direct.code).toBe(2);
    expect(direct.stderr).toContain('error: config /dev/zero is a device, not a regular file');
    const base = cli([join(dir, 'zero.yaml')]);
    expect(base.code).toBe(2);
    expect(base.stderr).toMatch(/config \/dev\/zero \(extended from .*zero\.yaml\) is a device, not a regular file/);
  });

  it('a FIFO in extends is refused, not waited on', () => {
    const r = cli([join(dir, 'fifo.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pipe\.yaml \(extended from .*fifo\.yaml\) is a FIFO \(named pipe\), not a regular file/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a directory is named as one', () => {
    expect(() => loadConfig(dir)).toThrow(/config .* is a directory, not a regular file/);
  });

  it('the limit holds on the bytes read, where stat says 0 (a /proc file)', () => {
    expect(readTextFile('/proc/self/maps', { limit: 1 << 20, what: 'file' }).length).toBeGreaterThan(100);
    expect(() => readTextFile('/proc/self/maps', { limit: 100, what: 'file' })).toThrow('file /proc/self/maps holds more than 100 bytes: refusing anything over 100 bytes');
  });
});
