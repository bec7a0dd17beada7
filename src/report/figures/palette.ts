/**
 * The one place the report's colours are defined. Digits: class k is always CLASS_COLOURS[k], in every
 * figure of every run, so a reader learns "3 is green" once. Paul Tol's colour-blind-safe 'muted'
 * scheme (9 colours, https://personal.sron.nl/~pault/) plus a dark grey as the tenth; the assignment
 * keeps the digits that an MNIST latent space puts side by side (4/9/7, 3/5/8, 0/6) on clearly
 * different hues.
 */
export const CLASS_COLOURS = [
  '#332288', // 0 indigo
  '#88CCEE', // 1 cyan
  '#44AA99', // 2 teal
  '#117733', // 3 green
  '#999933', // 4 olive
  '#DDCC77', // 5 sand
  '#CC6677', // 6 rose
  '#882255', // 7 wine
  '#AA4499', // 8 purple
  '#555555', // 9 dark grey
] as const;

/** Train and test curves: two colours outside the digit palette, so they never read as classes. */
export const SPLIT_COLOURS = { train: '#0077BB', test: '#EE7733' } as const;

export function classColour(label: number): string {
  return CLASS_COLOURS[label % CLASS_COLOURS.length]!;
}

/**
 * One colour per run in a comparison's curves and table, outside the digit palette so a run never reads
 * as a class: Paul Tol's colour-blind-safe 'bright' scheme, then his 'dark' one for larger sweeps.
 */
const RUN_COLOURS = [
  '#4477AA', '#EE6677', '#228833', '#CCBB44', '#66CCEE', '#AA3377', '#BBBBBB',
  '#222255', '#225555', '#225522', '#666633', '#663333',
] as const;

export function runColour(i: number): string {
  return RUN_COLOURS[i % RUN_COLOURS.length]!;
}
