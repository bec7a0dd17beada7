/**
 * Ctrl-C (and SIGTERM) for a long command: the first press calls `onFirst` (finish the step, checkpoint);
 * a second press more than a second later exits 130 at once, the last checkpoint intact. tsx relays a
 * terminal's Ctrl-C to us a second time when our first acknowledgement races it: only a second press a
 * moment later means "stop now". Returns a function that removes the handlers.
 */
export function onInterrupt(onFirst: () => void, message: string): () => void {
  let firstSignal = 0;
  const onSignal = () => {
    const now = Date.now();
    if (firstSignal > 0 && now - firstSignal > 1000) {
      process.stderr.write('\nsecond interrupt: stopping now; the last checkpoint is intact\n');
      process.exit(130);
    }
    if (firstSignal > 0) return;
    firstSignal = now;
    process.stderr.write(`\ninterrupt: ${message} (Ctrl-C again to stop at once)\n`);
    onFirst();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
