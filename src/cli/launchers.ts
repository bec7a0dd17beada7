import { commandLine, probe, procStat } from '../run/processes.js';

/**
 * `npx tsx run ...` starts npm, a shell, tsx, then this process. npm exits on SIGTERM without passing it on
 * (`timeout 60 npx tsx run ...` does just that), which would leave the training running, orphaned, to the
 * end. So we watch the launchers above us (npm, npx, the shell and tsx they start: not the user's own
 * shell, nohup or a supervisor) and treat the end of any one of them as a stop request.
 */
const LAUNCHER = /(^|\/)(npm|npx|tsx)(\s|$)|npm exec|npm-cli\.js|npx-cli\.js|\/tsx\/dist\/cli|^sh -c 'tsx'|^sh -c tsx/;

/** The launcher processes between this process and the first ancestor that is not one. */
export function launcherChain(from = process.ppid): number[] {
  const chain: number[] = [];
  for (let pid: number | null = from; pid !== null && pid > 1 && chain.length < 8; pid = procStat(pid)?.ppid ?? null) {
    if (!LAUNCHER.test(commandLine(pid) ?? '')) break;
    chain.push(pid);
  }
  return chain;
}

/** Calls `onGone` once when a launcher above us ends; returns a function that stops watching. */
export function watchLaunchers(onGone: (pid: number) => void, everyMs = 500): () => void {
  const chain = launcherChain();
  if (chain.length === 0) return () => {};
  const timer = setInterval(() => {
    const dead = chain.find((pid) => probe(pid) === 'gone');
    if (dead === undefined) return;
    clearInterval(timer);
    onGone(dead);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
