const INSTALLED = Symbol.for('vaelab.processGuards');

/**
 * What a command-line process guards against, installed once by main():
 * - A reader that stops early (`npx tsx run ... | head -1`) closes our stdout or stderr, and a closed terminal
 *   (SIGHUP) turns writes to it into EIO. The run is worth more than its progress lines: such writes are
 *   dropped and the command ends as the run does, not with an EPIPE stack and exit 1 after a finished training.
 * - SIGUSR1 makes Node open its inspector on 127.0.0.1:9229, a debugger anyone on the machine who can reach
 *   the port could attach to; a listener of our own keeps it closed.
 */
export function installProcessGuards(): void {
  const proc = process as NodeJS.Process & { [INSTALLED]?: true };
  if (proc[INSTALLED]) return; // main() runs more than once in a test process
  proc[INSTALLED] = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
    });
  }
  process.on('SIGUSR1', () => {});
}
