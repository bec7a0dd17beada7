import type { Progress } from '../train/trainer.js';

/**
 * On a terminal: one bar per epoch, redrawn in place, with loss, samples/s and ETA. Elsewhere (CI,
 * pipes) it draws nothing: the epoch log lines carry the same numbers.
 */
export function progressBar(stream: NodeJS.WriteStream): (p: Progress) => void {
  if (!stream.isTTY) return () => {};
  let lastDraw = 0;
  return (p) => {
    if (p.type === 'epoch') {
      stream.write('\r\x1b[2K');
      return;
    }
    const now = Date.now();
    if (now - lastDraw < 100 && p.step < p.steps) return;
    lastDraw = now;
    const width = 30;
    const filled = Math.round((p.step / p.steps) * width);
    stream.write(
      `\r\x1b[2Kepoch ${p.epoch}/${p.epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.step}/${p.steps}` +
        ` loss ${p.loss.toFixed(2)}  ${p.samplesPerSecond.toFixed(0)} samples/s  ETA ${formatSeconds(p.etaSeconds)}`,
    );
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
