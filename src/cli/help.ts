import { configReference } from '../config/reference.js';

export function helpText(): string {
  const keys = configReference();
  const width = Math.max(...keys.map((k) => k.path.length));
  const keyLines = keys.map((k) => `  ${k.path.padEnd(width)}  ${k.type}, default ${k.default}${k.description ? `: ${k.description}` : ''}`);
  return [
    'vaelab: train VAEs and CVAEs from a YAML config, and write an HTML report of what they learned.',
    '',
    'Usage:',
    '  npx tsx run <config.yaml> [--set key.path=value ...] [--out DIR]   train (the default command)',
    '  npx tsx run --resume <runDir>                                      continue an interrupted run',
    '  npx tsx run report <runDir> [--reports DIR]                        (re)build the HTML report of a saved run',
    '  npx tsx run --help                                                 this text',
    '',
    'Options:',
    '  --set key.path=value  override a config key (value parsed as YAML), repeatable',
    '  --out DIR             where run directories go (default experiments/)',
    '  --reports DIR         where reports go (default reports/)',
    '  --resume RUNDIR       continue a run from its checkpoint, with its saved config',
    '',
    'Exit codes: 0 done, 1 training diverged or a report stage failed, 2 bad config or input, 130 interrupted (Ctrl-C; resume with --resume).',
    '',
    'Config keys (a config may also say `extends: base.yaml` to start from another file):',
    ...keyLines,
  ].join('\n');
}
