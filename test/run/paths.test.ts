import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VaelabError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/run/atomic.js';
import { childPath, ensureDir, ensureWritableDir, reportDirOf } from '../../src/run/paths.js';
import { tempDir } from '../helpers/tiny.js';

describe('output paths', () => {
  it('childPath refuses every name that could leave its root', () => {
    const root = tempDir();
    for (const bad of ['..', '.', '../victim', '/etc', 'a/b', 'a\\b', '', '.hidden', '-x', 'x\0y', 'a'.repeat(121)]) {
      expect(() => childPath(root, bad), JSON.stringify(bad)).toThrow(VaelabError);
    }
    expect(() => reportDirOf(root, { name: 'ok', id: '/tmp/victim' })).toThrow(/refusing to write to "\/tmp\/victim"/);
    expect(childPath(root, 'beta4', '20261201T000000Z-abcdef')).toBe(join(root, 'beta4', '20261201T000000Z-abcdef'));
    expect(childPath(root, 'latentDim=2,beta=4')).toBe(join(root, 'latentDim=2,beta=4'));
  });

  it('ensureDir creates nested folders, and fails fast where Node 20 would spin forever', () => {
    const root = tempDir();
    expect(ensureDir(join(root, 'a', 'b', 'c'))).toBe(join(root, 'a', 'b', 'c'));
    ensureDir(join(root, 'a', 'b')); // already there
    const t0 = Date.now();
    expect(() => ensureDir('/proc/vaelab-x/y', '--out')).toThrow('--out /proc/vaelab-x/y: cannot create /proc/vaelab-x (ENOENT)');
    expect(Date.now() - t0).toBeLessThan(1000);
    writeFileSync(join(root, 'file'), 'x');
    expect(() => ensureDir(join(root, 'file'), '--reports')).toThrow(/--reports .*file is a file, not a folder/);
    expect(() => ensureDir(join(root, 'file', 'sub'), '--out')).toThrow(/ENOTDIR: a part of the path is a file/);
  });

  it('ensureWritableDir proves the folder takes a file and leaves nothing behind', () => {
    const root = tempDir();
    mkdirSync(join(root, 'out'));
    ensureWritableDir(join(root, 'out'), '--out');
    expect(() => ensureWritableDir('/proc', '--out')).toThrow(/--out \/proc: \/proc is not writable/);
    expect(() => ensureWritableDir('/sys/vaelab', '--out')).toThrow(/cannot create \/sys\/vaelab \((EPERM|EACCES|EROFS)/);
  });

  it('a path too long for the run folders below it is refused before any folder is made (ENAMETOOLONG)', () => {
    const root = tempDir();
    const long = deepPath(root, 4040); // under the system's 4096, but a run's checkpoint files below it are not
    expect(() => ensureWritableDir(long, '--out')).toThrow(VaelabError);
    expect(() => ensureWritableDir(long, '--out')).toThrow(/^--out \/tmp\/.*: too long \(ENAMETOOLONG: name too long\): 40\d\d bytes/);
    expect(() => ensureWritableDir(join(root, 'x'.repeat(256)), '--out')).toThrow(/too long \(ENAMETOOLONG: name too long\): a folder name of 256 bytes/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('writeFileAtomic: a name too long is a user error naming the file, not hidden by its own cleanup', () => {
    const dir = deepPath(tempDir(), 4085);
    ensureDir(dir); // fits; a file below it with its temp suffix does not
    const target = join(dir, 'config.yaml');
    expect(() => writeFileAtomic(target, 'x')).toThrow(VaelabError);
    expect(() => writeFileAtomic(target, 'x')).toThrow(`cannot write ${target} (ENAMETOOLONG: name too long)`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

/** `root` with 200-character folder names appended until the path is about `length` bytes. */
function deepPath(root: string, length: number): string {
  let p = root;
  while (p.length + 201 <= length) p = join(p, 'd'.repeat(200));
  return join(p, 'e'.repeat(length - p.length - 1));
}
