import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { commandHelp, helpText } from '../../src/cli/help.js';
import { VaelabError } from '../../src/errors.js';

const fails = (argv: string[]) => {
  try {
    parseArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(VaelabError);
    return (err as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
};

describe('the command line', () => {
  it('parses each command with its own options', () => {
    expect(parseArgs(['c.yaml', '--set', 'a=1', '--set=b=2', '--out', 'o', '--jobs', '3'])).toMatchObject({ command: 'train', positional: ['c.yaml'], set: ['a=1', 'b=2'], out: 'o', jobs: 3, reports: 'reports' });
    expect(parseArgs(['report', 'runs/x', '--reports', 'r'])).toMatchObject({ command: 'report', positional: ['runs/x'], reports: 'r' });
    expect(parseArgs(['compare', 'a', 'b', '--out', 'e'])).toMatchObject({ command: 'compare', positional: ['a', 'b'], out: 'e' });
    expect(parseArgs(['--resume', 'runs/x'])).toMatchObject({ command: 'train', resume: 'runs/x', positional: [] });
  });

  it('help for everything, or for one command', () => {
    expect(parseArgs(['--help'])).toMatchObject({ command: 'help', helpFor: null });
    expect(parseArgs(['-h'])).toMatchObject({ command: 'help', helpFor: null });
    expect(parseArgs(['report', '--help'])).toMatchObject({ command: 'help', helpFor: 'report' });
    expect(commandHelp('report')).toContain('--reports DIR');
    expect(commandHelp('report')).not.toContain('--jobs');
    expect(helpText()).toMatch(/--jobs N\s+sweep points run at once/);
    expect(helpText()).toMatch(/compare\s+compare runs side by side/);
  });

  it('refuses unknown options, options of another command, missing and bad values', () => {
    expect(fails(['c.yaml', '--sett', 'x=1'])).toBe('unknown option --sett (did you mean --set?); see --help');
    expect(fails(['report', 'x', '--set', 'a=1'])).toBe('unknown option --set for report; see report --help');
    expect(fails(['compare', 'x', '--jobs', '2'])).toBe('unknown option --jobs for compare; see compare --help');
    expect(fails(['c.yaml', '--out'])).toBe('--out needs a value; see --help');
    expect(fails(['c.yaml', '--out', '--set', 'a=1'])).toBe('--out needs a value; see --help');
    expect(fails(['--help=3'])).toBe('--help takes no value; see --help');
    expect(fails(['c.yaml', '--jobs', '0'])).toBe('--jobs expects a whole number >= 1, found "0"');
    expect(fails(['c.yaml', '--jobs', '1.5'])).toBe('--jobs expects a whole number >= 1, found "1.5"');
  });
});
