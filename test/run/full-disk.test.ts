import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCheckpoint, loadVae, readState } from '../../src/run/checkpoint.js';
import { disposeVae } from '../../src/models/registry.js';
import { readRunInfo } from '../../src/run/run-dir.js';
import { tempDir } from '../helpers/tiny.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
// A real full disk: a 1 MB tmpfs. Mounting needs root, as in CI; set VAELAB_SKIP_TMPFS=1 to skip elsewhere.
const skip = process.env.VAELAB_SKIP_TMPFS === '1';
const mount = join(tempDir('vaelab-tmpfs-'), 'disk');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }) as string[];
}

describe.skipIf(skip)('a disk that fills during training', () => {
  beforeAll(() => {
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
  });
  afterAll(() => {
    spawnSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('ends in exit 2 naming the file and ENOSPC, leaves no temp files, and the last checkpoint still loads', async () => {
    const config = join(tempDir(), 'full.yaml');
    // a 784-32-2 MLP: a checkpoint (weights and Adam's two moments) takes ~0.6 MB of the 1 MB, so the second cannot be written beside the first
    writeFileSync(config, 'name: full\nbackend: wasm\ndata: {trainLimit: 256, testLimit: 64}\nmodel: {hidden: [32]}\ntrain: {epochs: 3}\neval: {iwaeSamples: 2, iwaeImages: 8}\nreport: {stages: []}\n');
    const r = spawnSync(TSX, ['run.ts', config, '--out', mount], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error: cannot write .*\(ENOSPC: no space left on the device\); the previous state is kept/);
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    const runDir = join(mount, 'full', readdirSync(join(mount, 'full'))[0]!);
    const left = files(runDir);
    expect(left.filter((f) => /\.tmp-\d+$|\.next$|\.next\//.test(f))).toEqual([]);
    expect(readRunInfo(runDir).status).toBe('failed');
    const ckpt = join(runDir, 'checkpoint');
    expect(hasCheckpoint(ckpt)).toBe(true);
    expect(readState(ckpt).epoch).toBe(1); // epoch 1's checkpoint; epoch 2's did not fit beside it
    disposeVae(await loadVae(ckpt));
  });
});
