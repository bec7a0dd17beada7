import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetrics, readRunInfo } from '../../src/run/run-dir.js';
import { tempDir } from '../helpers/tiny.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, ['run.ts', ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (s: string) => expect(s).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('the run CLI', () => {
  it('--help lists the commands and every config key with its default', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--resume');
    expect(r.stdout).toMatch(/--jobs N\s+sweep points run at once/);
    expect(r.stdout).toMatch(/model\.latentDim\s+integer.*default 2/);
    expect(r.stdout).toMatch(/loss\.beta\s+number.*default 1/);
  });

  it('exits 2 with located messages and no stack for a bad config', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nmodel:\n  latentDim: 0\n  archh: mlp\n');
    const r = cli([file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:3:\d+ model\.latentDim: expected >= 1, found number 0/);
    expect(r.stderr).toMatch(/bad\.yaml:4:3 model\.archh: unknown key "archh" \(did you mean "arch"\?\)/);
    noStack(r.stderr);
  });

  it('exits 2 for unknown options, a missing file and a bad --set', () => {
    expect(cli(['configs/vae-mlp-z2.yaml', '--sett', 'x=1']).code).toBe(2);
    const missing = cli(['configs/nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read config configs\/nope\.yaml: no such file/);
    const set = cli(['configs/vae-mlp-z2.yaml', '--set', 'train.batchSize=0']);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('--set train.batchSize: expected >= 1, found number 0');
    noStack(set.stderr);
    const resumeSet = cli(['--resume', 'experiments/x', '--set', 'train.epochs=3']);
    expect(resumeSet.code).toBe(2);
    expect(resumeSet.stderr).toContain('--set cannot change it');
  });

  it('a sweep: a bad sweep key, a bad --jobs and --jobs without a sweep exit 2', () => {
    const dir = tempDir();
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, 'name: s\nsweep:\n  model.latentDm: [2, 5]\n');
    const bad = cli([file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sweep\.yaml:3:3 sweep\.model\.latentDm: unknown config key "model\.latentDm" \(did you mean "model\.latentDim"\?\)/);
    noStack(bad.stderr);
    expect(cli(['configs/sweep-latent.yaml', '--jobs', '0']).stderr).toContain('--jobs expects a whole number >= 1, found "0"');
    const single = cli(['configs/vae-mlp-z2.yaml', '--jobs', '2']);
    expect(single.code).toBe(2);
    expect(single.stderr).toContain('this config has no sweep');
  });

  it('Ctrl-C finishes the step, checkpoints, exits 130; --resume completes the run', async () => {
    const out = tempDir();
    const args = ['run.ts', 'configs/vae-mlp-z2.yaml', '--out', out, '--set', 'backend=wasm', '--set', 'data.trainLimit=20000',
      '--set', 'data.testLimit=200', '--set', 'train.epochs=2', '--set', 'report.stages=[]', '--set', 'eval.iwaeSamples=50'];
    // node itself, not the tsx command, which SIGKILLs a child slower than 60 ms to acknowledge a relayed signal
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, CI: 'true' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // interrupt once training has started (its first log line after the data is loaded)
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stderr.includes('training and 200 test images')) {
          clearInterval(poll);
          setTimeout(() => {
            child.kill('SIGINT');
            resolve();
          }, 300);
        }
      }, 50);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('finishing this step');
    const runDir = join(out, 'vae-mlp-z2', readdirSync(join(out, 'vae-mlp-z2'))[0]!);
    expect(readRunInfo(runDir).status).toBe('interrupted');
    const resumed = cli(['--resume', runDir]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.trim()).toBe(runDir);
    expect(readRunInfo(runDir).status).toBe('completed');
    expect(readMetrics(runDir).map((m) => m.epoch)).toEqual([1, 2]);
  });

  it('kill -9 mid-run leaves a readable run that --resume completes to the uninterrupted result', async () => {
    const out = tempDir();
    const args = ['configs/vae-mlp-z2.yaml', '--out', out, '--set', 'backend=wasm', '--set', 'data.trainLimit=3000',
      '--set', 'data.testLimit=200', '--set', 'train.epochs=3', '--set', 'report.stages=[]', '--set', 'eval.iwaeSamples=50'];
    const full = cli([...args, '--set', 'name=full']);
    expect(full.code).toBe(0);
    // a process group of its own, so SIGKILL reaches tsx and the node process it runs
    const child = spawn(TSX, ['run.ts', ...args, '--set', 'name=killed'], { detached: true, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const root = join(out, 'killed');
    const runDir = await new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        const runs = existsSync(root) ? readdirSync(root) : [];
        const dir = runs[0] === undefined ? '' : join(root, runs[0]);
        if (dir !== '' && readMetrics(dir).length >= 1) {
          clearInterval(poll);
          process.kill(-child.pid!, 'SIGKILL');
          resolve(dir);
        }
      }, 20);
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(readRunInfo(runDir).status).toBe('running'); // nobody was left to say otherwise
    const resumed = cli(['--resume', runDir]);
    expect(resumed.code).toBe(0);
    const fullDir = join(out, 'full', readdirSync(join(out, 'full'))[0]!);
    const strip = (d: string) => readMetrics(d).map(({ epoch, train, test }) => ({ epoch, train, test }));
    expect(strip(runDir)).toEqual(strip(fullDir));
  });

  it('a sweep runs every point, prints its table and ends with a comparison report', () => {
    const dir = tempDir();
    const file = join(dir, 'tiny-sweep.yaml');
    writeFileSync(file, [
      'name: tiny-sweep', 'backend: wasm', 'data: {trainLimit: 300, testLimit: 100}', 'model: {hidden: [32]}',
      'train: {epochs: 1, batchSize: 50, evalBatchSize: 100}', 'eval: {iwaeSamples: 10, iwaeImages: 20}',
      'report: {stages: []}', 'sweep:', '  model.latentDim: [2, 3]', '',
    ].join('\n'));
    const r = cli([file, '--out', join(dir, 'exp'), '--reports', join(dir, 'rep'), '--jobs', '2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const comparison = lines.at(-1)!;
    expect(comparison).toMatch(/compare[/\\].*index\.html$/);
    expect(existsSync(comparison)).toBe(true);
    expect(r.stdout).toMatch(/latentDim=2/);
    expect(r.stdout).toMatch(/latentDim=3/);
  });
});
