import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunInfo } from '../../src/run/run-dir.js';
import { tempDir } from '../helpers/tiny.js';

const SMALL = ['--set', 'backend=wasm', '--set', 'data.testLimit=200', '--set', 'report.stages=[]', '--set', 'eval.iwaeSamples=50'];

/** The CLI as node itself runs it (tsx's wrapper SIGKILLs a child slower than 60 ms to answer a relayed signal). */
function start(out: string, trainLimit: number) {
  const args = ['--import', 'tsx', 'run.ts', 'configs/vae-mlp-z2.yaml', '--out', out, ...SMALL, '--set', `data.trainLimit=${trainLimit}`, '--set', 'train.epochs=2'];
  const child = spawn(process.execPath, args, { env: { ...process.env, CI: 'true' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const training = new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (stderr.includes('test images')) {
        clearInterval(poll);
        setTimeout(resolve, 300);
      }
    }, 50);
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, training, closed, stderr: () => stderr };
}

/** Whether anything listens on 127.0.0.1:9229 (Node's inspector), from /proc/net/tcp: local port 0x2411, state 0A. */
function inspectorListening(): boolean {
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').some((line) => /^\s*\d+: [0-9A-F]{8}:2411 [0-9A-F]{8}:[0-9A-F]{4} 0A /.test(line));
}

const runDirOf = (out: string) => join(out, 'vae-mlp-z2', readdirSync(join(out, 'vae-mlp-z2'))[0]!);

describe('signals and closed pipes', () => {
  it('SIGHUP (the terminal closed) checkpoints and ends interrupted, as SIGTERM does', async () => {
    const out = tempDir();
    const run = start(out, 20000);
    await run.training;
    run.child.kill('SIGHUP');
    expect(await run.closed).toBe(130);
    expect(run.stderr()).toContain('finishing this step');
    expect(readRunInfo(runDirOf(out)).status).toBe('interrupted');
  });

  it('SIGUSR1 opens no inspector port and does not stop the run', async () => {
    expect(inspectorListening()).toBe(false);
    const out = tempDir();
    const run = start(out, 3000);
    await run.training;
    run.child.kill('SIGUSR1');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(inspectorListening()).toBe(false);
    expect(await run.closed).toBe(0);
    expect(run.stderr()).not.toContain('Debugger listening');
    expect(readRunInfo(runDirOf(out)).status).toBe('completed');
  });

  it('a reader that closes stdout early (| head -1) leaves a completed run and exit 0, not an EPIPE stack', async () => {
    const out = tempDir();
    const run = start(out, 500);
    run.child.stdout.destroy(); // the read end closes: every write to stdout is EPIPE
    expect(await run.closed).toBe(0);
    expect(run.stderr()).not.toContain('EPIPE');
    expect(readRunInfo(runDirOf(out)).status).toBe('completed');
  });
});
