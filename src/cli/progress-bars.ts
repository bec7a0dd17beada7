/** Points of a queued sweep per state, as the submitter shows them. */
export interface StateCounts {
  waiting: number;
  active: number;
  done: number;
  failed: number;
}

/**
 * One bar per state, each as long as its share of the sweep's points, then the count: the submitter's
 * display on a terminal ("waiting ███████░░░░░░░░░░░░░  3/8").
 */
export function progressBars(counts: StateCounts, width = 24): string[] {
  const total = counts.waiting + counts.active + counts.done + counts.failed;
  const pad = String(total).length;
  return (Object.entries(counts) as [keyof StateCounts, number][]).map(([state, n]) => {
    const full = total === 0 ? 0 : Math.round((width * n) / total);
    return `${state.padEnd(7)} ${'█'.repeat(full)}${'░'.repeat(width - full)} ${String(n).padStart(pad)}/${total}`;
  });
}

/** What redraws the bars in place: the cursor back up over the previous bars, each line cleared. */
export function redraw(lines: readonly string[], previous: number): string {
  return `${previous > 0 ? `\x1b[${previous}F` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`;
}
