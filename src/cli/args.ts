import { parseArgs as parseNodeArgs, type ParseArgsConfig } from 'node:util';
import { BACKENDS, type BackendRequest } from '../config/schema.js';
import { didYouMean } from '../config/suggest.js';
import { VaelabError } from '../errors.js';

/**
 * The command line, on Node's own util.parseArgs. Each command declares its options once, here: the parser
 * accepts exactly those, and the help text (help.ts) is printed from the same table.
 */
export type Command = 'train' | 'report' | 'compare' | 'worker' | 'status';

export interface CliArgs {
  command: Command | 'help';
  helpFor: Command | null; // `report --help`: that command's help; null: the overview
  positional: string[];
  set: string[];
  out: string;
  reports: string;
  resume: string | null;
  jobs: number | null; // sweep points run at once (null: 1)
  maxPoints: number | null; // the sweep size limit (null: MAX_SWEEP_POINTS)
  queue: QueueSource | null; // where the Redis URL comes from: a sweep goes to the queue's workers
  detach: boolean;
  concurrency: number | null; // worker: points at once (null: 1)
  attempts: number | null; // queued sweep: tries per point (null: 3)
  backend: BackendRequest | null; // worker: replaces each point's config.backend
  data: string | null; // worker: the folder a job's data.dir may point into
  json: boolean;
}

/**
 * Where the Redis URL comes from. A password on the command line shows in `ps` to every user of the
 * machine, so it can come from a file or, for the commands that always need a queue, the environment.
 * The file is read, and the URL checked, when the command uses it (queue-url.ts).
 */
export interface QueueSource {
  from: '--queue' | '--queue-file' | 'VAELAB_QUEUE';
  value: string; // the URL, or for --queue-file the path of the file that holds it
}

/** The commands that always need a queue read VAELAB_QUEUE; a sweep is queued only when its command line says so. */
const QUEUE_FROM_ENV: readonly Command[] = ['worker', 'status'];

export interface OptionSpec {
  name: 'set' | 'out' | 'reports' | 'resume' | 'jobs' | 'max-points' | 'queue' | 'queue-file' | 'detach' | 'concurrency' | 'attempts' | 'backend' | 'data' | 'json';
  value: string; // what the value looks like, for the help ('' for a flag)
  help: string;
  multiple?: boolean;
  flag?: boolean; // takes no value
}

const OPTIONS: Record<OptionSpec['name'], OptionSpec> = {
  set: { name: 'set', value: 'key.path=value', help: 'override a config key (value parsed as YAML), repeatable', multiple: true },
  out: { name: 'out', value: 'DIR', help: 'where run directories go (default experiments/); reports/index.html lists the runs there' },
  reports: { name: 'reports', value: 'DIR', help: 'where reports go (default reports/)' },
  resume: { name: 'resume', value: 'RUNDIR', help: 'continue a run from its checkpoint, with its saved config (or a sweep folder)' },
  jobs: {
    name: 'jobs',
    value: 'N',
    help: 'sweep points run at once, each in its own process (default 1). tfjs-wasm uses one core per process, so --jobs 2 is what keeps both cores of a 2-core machine busy',
  },
  'max-points': { name: 'max-points', value: 'N', help: 'run a sweep of more than 1000 points (larger ones are refused as a likely mistake)' },
  queue: { name: 'queue', value: 'redis://[user:password@]host:port', help: 'a Redis (rediss:// for TLS) whose workers run the sweep\'s points; see README "Scale out"' },
  'queue-file': {
    name: 'queue-file',
    value: 'PATH',
    help: 'a file holding the Redis URL (one line), read in place of --queue so that no password shows in `ps`; worker and status also take VAELAB_QUEUE',
  },
  detach: { name: 'detach', value: '', flag: true, help: 'with --queue: enqueue the sweep and return without waiting for it' },
  attempts: { name: 'attempts', value: 'N', help: 'with --queue: tries per point before it counts as failed (default 3)' },
  concurrency: { name: 'concurrency', value: 'N', help: 'points this worker trains at once, each in its own process (default 1)' },
  backend: { name: 'backend', value: 'NAME', help: `train every point with this backend instead of its config's (${BACKENDS.join(', ')})` },
  data: { name: 'data', value: 'DIR', help: 'the folder a job\'s data.dir may point into on this machine (jobs naming another folder are refused)' },
  json: { name: 'json', value: '', flag: true, help: 'print JSON, for scripts' },
};

export interface CommandSpec {
  usage: string[];
  summary: string;
  options: OptionSpec[];
}

export const COMMANDS: Record<Command, CommandSpec> = {
  train: {
    usage: ['<config.yaml> [--set key.path=value ...] [--out DIR] [--reports DIR]', '<config with a sweep: block> [--jobs N]', '--resume <runDir|sweepDir>'],
    summary: 'train (the default command), run every point of a sweep, or continue an interrupted run or sweep',
    options: [OPTIONS.set, OPTIONS.out, OPTIONS.reports, OPTIONS.resume, OPTIONS.jobs, OPTIONS['max-points'], OPTIONS.queue, OPTIONS['queue-file'], OPTIONS.detach, OPTIONS.attempts],
  },
  report: {
    usage: ['report <runDir> [--reports DIR]'],
    summary: '(re)build the HTML report of a saved run',
    options: [OPTIONS.reports],
  },
  compare: {
    usage: ['compare <runDir|sweepDir>... [--reports DIR] [--out DIR]'],
    summary: 'compare runs side by side (same data) in reports/compare/<id>/; a folder stands for its runs',
    options: [OPTIONS.reports, { ...OPTIONS.out, help: 'the experiments folder whose runs reports/index.html lists (default experiments/)' }],
  },
  worker: {
    usage: ['worker --queue redis://host:6379 [--out DIR] [--reports DIR] [--concurrency N] [--backend NAME] [--data DIR]', 'worker --queue-file PATH ...  (or VAELAB_QUEUE=redis://... in the environment)'],
    summary: 'train the points of queued sweeps on this machine until stopped (Ctrl-C: running points checkpoint and go back to the queue)',
    options: [OPTIONS.queue, OPTIONS['queue-file'], OPTIONS.out, OPTIONS.reports, OPTIONS.concurrency, OPTIONS.backend, OPTIONS.data],
  },
  status: {
    usage: ['status --queue redis://host:6379 [sweepId] [--json]', 'status --queue-file PATH ...  (or VAELAB_QUEUE=redis://... in the environment)'],
    summary: "the queue's sweeps, or one sweep's points: state, worker host, backend, attempts, epoch, test -ELBO, last error",
    options: [OPTIONS.queue, OPTIONS['queue-file'], OPTIONS.json],
  },
};

const isCommand = (word: string | undefined): word is Command => word !== undefined && Object.hasOwn(COMMANDS, word);

/** Parses argv; the first word is a command if it names one, else `train` with a config path. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  const rest = [...argv];
  const command: Command = isCommand(rest[0]) ? (rest.shift() as Command) : 'train';
  if (rest[0] === 'help') return { ...defaults(), command: 'help', helpFor: null };
  const spec = COMMANDS[command];
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const o of spec.options) options[o.name] = { type: o.flag === true ? 'boolean' : 'string', ...(o.multiple === true ? { multiple: true } : {}) };
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new VaelabError(argError(err as NodeJS.ErrnoException, command, rest));
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const args: CliArgs = { ...defaults(), command, positional: parsed.positionals };
  if (v.help === true) return { ...args, command: 'help', helpFor: isCommand(argv[0]) ? command : null };
  if (Array.isArray(v.set)) args.set = v.set;
  if (typeof v.out === 'string') args.out = v.out;
  if (typeof v.reports === 'string') args.reports = v.reports;
  if (typeof v.resume === 'string') args.resume = v.resume;
  if (typeof v.jobs === 'string') args.jobs = wholeNumber('--jobs', v.jobs);
  if (typeof v['max-points'] === 'string') args.maxPoints = wholeNumber('--max-points', v['max-points']);
  args.queue = queueSource(command, v.queue, v['queue-file'], env);
  args.detach = v.detach === true;
  args.json = v.json === true;
  if (typeof v.concurrency === 'string') args.concurrency = wholeNumber('--concurrency', v.concurrency);
  if (typeof v.attempts === 'string') args.attempts = wholeNumber('--attempts', v.attempts);
  if (typeof v.data === 'string') args.data = v.data;
  if (typeof v.backend === 'string') args.backend = backendName(v.backend);
  return args;
}

function queueSource(command: Command, url: unknown, file: unknown, env: NodeJS.ProcessEnv): QueueSource | null {
  if (typeof url === 'string' && typeof file === 'string') throw new VaelabError('give the queue once: --queue or --queue-file, not both');
  if (typeof url === 'string') return { from: '--queue', value: url };
  if (typeof file === 'string') return { from: '--queue-file', value: file };
  const fromEnv = env['VAELAB_QUEUE'];
  return QUEUE_FROM_ENV.includes(command) && fromEnv !== undefined && fromEnv !== '' ? { from: 'VAELAB_QUEUE', value: fromEnv } : null;
}

function defaults(): CliArgs {
  return {
    ...{ command: 'train', helpFor: null, positional: [], set: [], out: 'experiments', reports: 'reports', resume: null, jobs: null, maxPoints: null },
    ...{ queue: null, detach: false, concurrency: null, attempts: null, backend: null, data: null, json: false },
  };
}

function backendName(value: string): BackendRequest {
  const known = BACKENDS.find((b) => b === value);
  if (known === undefined) throw new VaelabError(`--backend expects one of ${BACKENDS.join(', ')}, found ${JSON.stringify(value)}`);
  return known;
}

const WHOLE_NUMBER_OPTIONS = new Set(['--jobs', '--max-points', '--concurrency', '--attempts']);

function wholeNumber(flag: string, value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new VaelabError(`${flag} expects a whole number >= 1, found ${JSON.stringify(value)}`);
  return Number(value);
}

/** util.parseArgs's errors in our words: which option, what was wrong, where to look. */
function argError(err: NodeJS.ErrnoException, command: Command, argv: readonly string[]): string {
  const where = command === 'train' ? 'see --help' : `see ${command} --help`;
  const option = /'(?:-[A-Za-z], )?(--?[^' ,]+)/.exec(err.message)?.[1] ?? ''; // "Option '-h, --help' ..."
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const known = ['help', ...COMMANDS[command].options.map((o) => o.name)];
      const near = didYouMean(option.replace(/^-+/, ''), known);
      return `unknown option ${option}${command === 'train' ? '' : ` for ${command}`}${near === null ? '' : ` (did you mean --${near}?)`}; ${where}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      if (/does not take an argument/.test(err.message)) return `${option} takes no value; ${where}`;
      // "ambiguous": the next word starts with "-"; a number such as -1 is a value, just not a valid one
      const next = argv[argv.indexOf(option) + 1];
      if (next === undefined || !/argument is ambiguous/.test(err.message) || next.startsWith('--')) return `${option} needs a value; ${where}`;
      if (WHOLE_NUMBER_OPTIONS.has(option) && /^-\d/.test(next)) return `${option} expects a whole number >= 1, found ${JSON.stringify(next)}`;
      return `${option} needs a value (one that starts with "-" is written ${option}=${next}); ${where}`;
    }
    default:
      return `${err.message}; ${where}`;
  }
}
