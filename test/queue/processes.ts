import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The CLI as separate processes, as a user starts them: `node --import tsx run.ts ...` (not the tsx
 * command, which SIGKILLs a child slow to acknowledge a relayed signal). `prefix` runs it under another
 * command, such as `ip netns exec <ns>`.
 */
export interface CliProcess {
  child: ChildProcess;
  output(): string; // stdout and stderr so far, interleaved
  stdout(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], prefix: string[] = [], env: Record<string, string> = {}): CliProcess {
  const command = [...prefix, process.execPath, '--import', 'tsx', 'run.ts', ...args];
  const child = spawn(command[0]!, command.slice(1), { cwd: process.cwd(), env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let all = '';
  let out = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.pattern.exec(all);
      if (m !== null) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    all += d.toString();
    out += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    all += d.toString();
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => all,
    stdout: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${all.slice(-3000)}`)), timeoutMs);
        const exit = () => reject(new Error(`process ended before printing ${pattern}:\n${all.slice(-3000)}`));
        void exited.then(() => setTimeout(exit, 50));
        waiters.push({
          pattern,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        check();
      }),
  };
}

/** Ends a worker as Ctrl-C would and waits for it; kill -9 after `graceMs`. */
export async function stopCli(p: CliProcess, graceMs = 30_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}
