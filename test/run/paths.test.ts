import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VaelabError } from '../../src/errors.js';
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
});
