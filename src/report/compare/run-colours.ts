/**
 * One colour per run in the comparison's curves and table, outside the digit palette so a run never
 * reads as a class: Paul Tol's colour-blind-safe 'bright' scheme, then his 'dark' one for larger sweeps.
 */
export const RUN_COLOURS = [
  '#4477AA', '#EE6677', '#228833', '#CCBB44', '#66CCEE', '#AA3377', '#BBBBBB',
  '#222255', '#225555', '#225522', '#666633', '#663333',
] as const;

export function runColour(i: number): string {
  return RUN_COLOURS[i % RUN_COLOURS.length]!;
}
