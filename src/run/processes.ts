import { existsSync, readFileSync } from 'node:fs';

// What /proc says of another process (Linux); elsewhere these answer null and callers fall back.

/** State letter and parent pid from /proc/<pid>/stat, or null when it cannot be read (gone, or no /proc). */
export function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** The command line of a process, arguments joined by spaces; null when it cannot be read. */
export function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

/**
 * Whether `pid` still runs: 'gone' for no such process or a zombie (killed, not reaped: kill(0) still
 * finds it), 'denied' for another user's process, else 'running'. Without /proc (macOS) kill(0) is all
 * there is.
 */
export function probe(pid: number): 'running' | 'gone' | 'denied' {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'denied' : 'gone'; // ESRCH: no such process
  }
  if (!existsSync('/proc/self')) return 'running';
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z' ? 'running' : 'gone';
}
