import { watchLaunchers } from './launchers.js';

// A closed terminal (SIGHUP) ends the run as SIGTERM does, with a checkpoint, not by Node's default exit.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Ctrl-C (and SIGTERM, and SIGHUP: the terminal was closed) for a long command: the first press calls `onFirst` (finish the step, checkpoint);
 * a second press more than a second later stops at once with 130, the last checkpoint intact. tsx relays a
 * terminal's Ctrl-C to us a second time when our first acknowledgement races it: only a second press a
 * moment later means "stop now". Returns a function that removes the handlers.
 *
 * `stopNow` ends whatever threads the command runs (a worker's `terminate()`). process.exit waits for
 * every worker thread, and a thread stuck inside one system call never yields, so when `stopNow` has
 * not finished within two seconds the process kills itself: a stop request always stops it.
 */
export function onInterrupt(onFirst: () => void, message: string, stopNow: () => Promise<unknown> = async () => {}): () => void {
  let firstSignal = 0;
  let stopping = false;
  const onSignal = () => {
    const now = Date.now();
    if (firstSignal > 0 && now - firstSignal > 1000 && !stopping) {
      stopping = true;
      process.stderr.write('\nsecond interrupt: stopping now; the last checkpoint is intact\n');
      const stuck = setTimeout(() => {
        process.stderr.write('a thread does not answer (stuck in a system call): killing the process\n');
        process.kill(process.pid, 'SIGKILL');
      }, 2000);
      void stopNow()
        .catch(() => {})
        .then(() => {
          clearTimeout(stuck);
          process.exit(130);
        });
      return;
    }
    if (firstSignal > 0) return;
    firstSignal = now;
    process.stderr.write(`\ninterrupt: ${message} (Ctrl-C again to stop at once)\n`);
    onFirst();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const stopWatching = watchLaunchers((pid) => {
    if (firstSignal > 0) return;
    firstSignal = Date.now();
    process.stderr.write(`\nthe command that started this one (process ${pid}, npm or tsx) has ended: ${message}\n`);
    onFirst();
  });
  return () => {
    stopWatching();
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}
