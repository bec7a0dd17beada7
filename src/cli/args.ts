import { VaelabError } from '../errors.js';

export type Command = 'train' | 'report' | 'compare' | 'help';

export interface CliArgs {
  command: Command;
  positional: string[];
  set: string[];
  out: string;
  reports: string;
  resume: string | null;
  jobs: number | null; // sweep points run at once (null: 1)
}

const COMMANDS = new Set(['train', 'report', 'compare', 'help']);

/** Parses argv; the first word is a command if it names one, else `train` with a config path. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { command: 'train', positional: [], set: [], out: 'experiments', reports: 'reports', resume: null, jobs: null };
  const rest = [...argv];
  if (rest[0] !== undefined && COMMANDS.has(rest[0])) args.command = rest.shift() as Command;
  while (rest.length > 0) {
    const a = rest.shift()!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? rest.shift();
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new VaelabError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        args.command = 'help';
        break;
      case '--set':
        args.set.push(value());
        break;
      case '--out':
        args.out = value();
        break;
      case '--reports':
        args.reports = value();
        break;
      case '--resume':
        args.resume = value();
        break;
      case '--jobs': {
        const v = value();
        if (!/^[1-9]\d*$/.test(v)) throw new VaelabError(`--jobs expects a whole number >= 1, found ${JSON.stringify(v)}`);
        args.jobs = Number(v);
        break;
      }
      default:
        if (a.startsWith('-')) throw new VaelabError(`unknown option ${a}; see --help`);
        args.positional.push(a);
    }
  }
  return args;
}
