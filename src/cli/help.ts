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
    '  npx tsx run <config with a sweep: block> [--jobs N]                run every point of the sweep',
    '  npx tsx run --resume <runDir|sweepDir>                             continue an interrupted run or sweep',
    '  npx tsx run report <runDir> [--reports DIR]                        (re)build the HTML report of a saved run',
    '  npx tsx run compare <runDir|sweepDir>... [--reports DIR]           compare runs side by side (same data) in',
    '                                                                     reports/compare/<id>/; a folder stands for its runs',
    '  npx tsx run --help                                                 this text',
    '',
    'Options:',
    '  --set key.path=value  override a config key (value parsed as YAML), repeatable',
    '  --out DIR             where run directories go (default experiments/); reports/index.html lists the runs there',
    '  --reports DIR         where reports go (default reports/)',
    '  --resume RUNDIR       continue a run from its checkpoint, with its saved config (or a sweep folder)',
    '  --jobs N              sweep points run at once, each in its own process (default 1). tfjs-wasm uses one',
    '                        core per process, so --jobs 2 is what keeps both cores of a 2-core machine busy',
    '',
    'Exit codes: 0 done, 1 training diverged or a report stage failed (for a sweep: a point failed), 2 bad config or input,',
    '130 interrupted (Ctrl-C; resume with --resume, or rerun a sweep: completed points are skipped).',
    '',
    'Sweeps: `sweep: {model.latentDim: [2, 5, 10], loss.beta: [1, 4]}` runs the grid of all combinations;',
    '`sweep: [{loss.beta: 0}, {loss.reconstructionWeight: 0}]` runs exactly the points listed. Each point is a',
    'normal run in experiments/<name>/<sweep id>/<point>/; sweep.json there summarises them.',
    '',
    'Config keys (a config may also say `extends: base.yaml` to start from another file):',
    ...keyLines,
  ].join('\n');
}
