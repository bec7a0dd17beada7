import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunInfo } from '../../src/run/run-dir.js';
import { tempDir } from '../helpers/tiny.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
// Real filesystem failures need mounts, so root, as in CI; VAELAB_SKIP_TMPFS=1 skips elsewhere.
const skip = process.env.VAELAB_SKIP_TMPFS === '1';
const root = tempDir('vaelab-report-fail-');
const mounts: string[] = [];

function mountTmpfs(dir: string, options: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
}

/** A tiny run whose training always fits: its reports go to `reports`. */
function train(name: string, reports: string) {
  const config = join(root, `${name}.yaml`);
  writeFileSync(config, `name: ${name}\nbackend: wasm\ndata: {trainLimit: 256, testLimit: 64}\nmodel: {hidden: [32]}\ntrain: {epochs: 1}\neval: {iwaeSamples: 2, iwaeImages: 8}\nreport: {stages: [lossCurves, reconstructions, priorSamples, latentScatter, manifold]}\n`);
  const out = join(root, 'experiments');
  const r = spawnSync(TSX, ['run.ts', config, '--out', out, '--reports', reports], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 });
  const runDir = join(out, name, readdirSync(join(out, name))[0]!);
  return { code: r.status, stderr: r.stderr, runDir };
}

const noStack = (s: string) => expect(s).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe.skipIf(skip)('a report that cannot be written after training', () => {
  beforeAll(() => {
    // 120 kB: the index page fits, the run's report (five figures and the page) does not
    mountTmpfs(join(root, 'small'), 'size=120k');
    mountTmpfs(join(root, 'small-sweep'), 'size=120k');
    // the run's own folder under reports/ read-only: the lock beside its report cannot be taken
    mkdirSync(join(root, 'ro-reports'));
    mountTmpfs(join(root, 'ro-reports', 'locked'), 'ro');
  });
  afterAll(() => {
    for (const m of mounts.reverse()) spawnSync('umount', [m]);
    rmSync(root, { recursive: true, force: true });
  });

  it('a full disk: exit 1, one line per failed stage naming the file and ENOSPC, no stack, the run completed, the rebuild command', () => {
    const reports = join(root, 'small');
    const r = train('full', reports);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/report: stage \w+ failed: cannot write \S+\.png \(ENOSPC: no space left on the device\)/);
    expect(r.stderr).toMatch(/error: (no report was written|the report is incomplete)/);
    expect(r.stderr).toContain(`rebuild its report with: npx tsx run report ${r.runDir} --reports ${reports}`);
    noStack(r.stderr);
    expect(readRunInfo(r.runDir).status).toBe('completed');
    expect(readdirSync(join(reports, 'full'))).toEqual([]); // no half-written report folder left behind
  });

  it('a sweep whose points complete but cannot write their reports: exit 1, each point named with its rebuild command', () => {
    const config = join(root, 'sweep.yaml');
    writeFileSync(config, 'name: fullsweep\nbackend: wasm\ndata: {trainLimit: 256, testLimit: 64}\nmodel: {hidden: [32]}\ntrain: {epochs: 1}\neval: {iwaeSamples: 2, iwaeImages: 8}\nreport: {stages: [lossCurves, reconstructions, priorSamples, manifold]}\nsweep: {seed: [1, 2]}\n');
    const reports = join(root, 'small-sweep');
    const r = spawnSync(TSX, ['run.ts', config, '--out', join(root, 'experiments'), '--reports', reports], { encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 240_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error: seed=1: (no report was written|report stages .* failed); rebuild with npx tsx run report \S+seed=1 --reports /);
    expect(r.stderr).toMatch(/error: seed=2: /);
    noStack(r.stderr);
  });

  it('a report folder it may not write (the lock): exit 1 naming the lock file and the cause; the run completed', () => {
    const r = train('locked', join(root, 'ro-reports'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error: no report was written: cannot create lock file \S+\.lock: EROFS/);
    expect(r.stderr).toContain('rebuild its report with: npx tsx run report');
    noStack(r.stderr);
    expect(readRunInfo(r.runDir).status).toBe('completed');
  });
});
