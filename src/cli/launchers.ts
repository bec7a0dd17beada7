import { readFileSync } from 'node:fs';

/**
 * `npx tsx run ...` starts npm, a shell, tsx, then this process. npm exits on SIGTERM without passing it on
 * (`timeout 60 npx tsx run ...` does just that), which would leave the training running, orphaned, to the
 * end. So we watch the launchers above us (npm, npx, the shell and tsx they start: not the user's own
 * shell, nohup or a supervisor) and treat the end of any one of them as a stop request.
 */
const LAUNCHER = /(^|\/)(npm|npx|tsx)(\s|$)|npm exec|npm-cli\.js|npx-cli\.js|\/tsx\/dist\/cli|^sh -c 'tsx'|^sh -c tsx/;

function parentOf(pid: number): number | null {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null; // no /proc (macOS, Windows): nothing to watch
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** The launcher processes between this process and the first ancestor that is not one. */
export function launcherChain(from = process.ppid): number[] {
  const chain: number[] = [];
  for (let pid: number | null = from; pid !== null && pid > 1 && chain.length < 8; pid = parentOf(pid)) {
    if (!LAUNCHER.test(commandLine(pid))) break;
    chain.push(pid);
  }
  return chain;
}

/** Calls `onGone` once when a launcher above us ends; returns a function that stops watching. */
export function watchLaunchers(onGone: (pid: number) => void, everyMs = 500): () => void {
  const chain = launcherChain();
  if (chain.length === 0) return () => {};
  const timer = setInterval(() => {
    const dead = chain.find(gone);
    if (dead === undefined) return;
    clearInterval(timer);
    onGone(dead);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
