import { configReference } from '../config/reference.js';
import '../models/families/index.js'; // every built-in family's keys in --help
import { COMMANDS, type Command, type OptionSpec } from './args.js';

const RUN = 'npx tsx run';

function optionLines(options: readonly OptionSpec[]): string[] {
  const heads = options.map((o) => `--${o.name} ${o.value}`.trimEnd());
  const width = Math.max(...heads.map((h) => h.length));
  return options.map((o, i) => `  ${heads[i]!.padEnd(width)}  ${o.help}`);
}

const EXIT_CODES = [
  'Exit codes: 0 done, 1 training diverged or a report stage failed (for a sweep: a point or its report failed), 2 bad config or input,',
  '130 interrupted (Ctrl-C; resume with --resume, or rerun a sweep: completed points are skipped).',
];

const QUEUE_ENV = [
  'Environment: VAELAB_QUEUE=redis://... is the queue of worker and status when neither --queue nor --queue-file is',
  'given. A password on the command line shows in `ps` to every user of the machine; these two keep it off it.',
];

/** `--help`: every command and option, sweeps, and every config key with its default. */
export function helpText(): string {
  const keys = configReference();
  const width = Math.max(...keys.map((k) => k.path.length));
  const keyLines = keys.map((k) => `  ${k.path.padEnd(width)}  ${k.type}, default ${k.default}${k.description ? `: ${k.description}` : ''}`);
  const all = [...new Map(Object.values(COMMANDS).flatMap((c) => c.options.map((o) => [o.name, o] as const))).values()];
  return [
    'vaelab: train VAEs and CVAEs from a YAML config, and write an HTML report of what they learned.',
    '',
    'Usage:',
    ...Object.values(COMMANDS).flatMap((c) => c.usage.map((u) => `  ${RUN} ${u}`)),
    `  ${RUN} <command> --help   one command's usage and options`,
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`),
    '',
    'Options:',
    ...optionLines(all),
    '',
    ...QUEUE_ENV,
    '',
    ...EXIT_CODES,
    '',
    'Sweeps: `sweep: {model.latentDim: [2, 5, 10], loss.beta: [1, 4]}` runs the grid of all combinations;',
    '`sweep: [{loss.beta: 0}, {loss.reconstructionWeight: 0}]` runs exactly the points listed. Each point is a',
    'normal run in experiments/<name>/<sweep id>/<point>/; sweep.json there summarises them.',
    '',
    'Config keys (a config may also say `extends: base.yaml` to start from another file):',
    ...keyLines,
  ].join('\n');
}

/** `<command> --help`: that command's usage and the options it takes. */
export function commandHelp(command: Command): string {
  const c = COMMANDS[command];
  const env = c.options.some((o) => o.name === 'queue') ? [...QUEUE_ENV, ''] : [];
  return [`${RUN} ${command}: ${c.summary}`, '', 'Usage:', ...c.usage.map((u) => `  ${RUN} ${u}`), '', 'Options:', ...optionLines(c.options), '', ...env, ...EXIT_CODES].join('\n');
}
