import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { commandHelp, helpText } from '../../src/cli/help.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError, VaelabError } from '../../src/errors.js';

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

  it('reads a negative number as a bad value, and says how to give a value that starts with "-"', () => {
    expect(fails(['c.yaml', '--max-points', '-1'])).toBe('--max-points expects a whole number >= 1, found "-1"');
    expect(fails(['worker', '--concurrency', '-2'])).toBe('--concurrency expects a whole number >= 1, found "-2"');
    expect(fails(['c.yaml', '--out', '-dir'])).toBe('--out needs a value (one that starts with "-" is written --out=-dir); see --help');
  });

  it('takes the queue from --queue, --queue-file or, for worker and status, VAELAB_QUEUE', () => {
    const env = { VAELAB_QUEUE: 'redis://:pw@h:6379' };
    expect(parseArgs(['worker', '--queue-file', 'q.url'], env).queue).toEqual({ from: '--queue-file', value: 'q.url' });
    expect(parseArgs(['status'], env).queue).toEqual({ from: 'VAELAB_QUEUE', value: env.VAELAB_QUEUE });
    expect(parseArgs(['worker', '--queue', 'redis://h:1'], env).queue).toEqual({ from: '--queue', value: 'redis://h:1' });
    expect(parseArgs(['c.yaml', '--queue-file', 'q.url'], env).queue).toEqual({ from: '--queue-file', value: 'q.url' });
    expect(parseArgs(['c.yaml'], env).queue).toBeNull(); // a sweep goes to the queue only when its command line says so
    expect(parseArgs(['status'], { VAELAB_QUEUE: '' }).queue).toBeNull();
    expect(fails(['worker', '--queue', 'redis://h:1', '--queue-file', 'q.url'])).toBe('give the queue once: --queue or --queue-file, not both');
    expect(commandHelp('worker')).toMatch(/--queue-file PATH\s+a file holding the Redis URL/);
    expect(commandHelp('status')).toContain('VAELAB_QUEUE');
    expect(helpText()).toContain('VAELAB_QUEUE');
  });
});

describe('a --set that is not key.path=value', () => {
  it('names --set once', () => {
    const messageOf = (set: string) => {
      try {
        loadConfig('configs/vae-mlp-z2.yaml', { set: [set] });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error(`expected --set ${set} to be refused`);
    };
    expect(messageOf('nokey')).toBe('invalid config (1 problem):\n  --set "nokey": expected key.path=value');
    expect(messageOf('model.latentDim=[')).toMatch(/^invalid config \(1 problem\):\n {2}--set model\.latentDim: value is not valid YAML: /);
  });
});
