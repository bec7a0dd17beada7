import type { Config } from '../config/schema.js';
import { EXIT, VaelabError } from '../errors.js';
import { startWorker } from '../queue/worker.js';
import { submitSweep } from '../queue/submit.js';
import { printable, printableJson } from '../queue/printable.js';
import { formatPointRows, formatSweepRows, openQueues, pointRow, stateGroup, sweepJobData, sweepRows, type PointRow } from '../queue/status.js';
import { formatSweepTable } from '../sweep/table.js';
import type { CliArgs } from './args.js';
import { queueUrl } from './queue-url.js';
import { onInterrupt } from './interrupt.js';
import { progressBars, redraw, type StateCounts } from './progress-bars.js';

// job ids, hosts and errors in these lines may come from Redis: escaped, but for the lines' own breaks
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${printable(m, '\n\t')}\n`);

function needQueue(args: CliArgs, command: string): string {
  if (args.queue === null) throw new VaelabError(`${command} needs a queue: --queue redis://host:6379, --queue-file PATH, or VAELAB_QUEUE in the environment (see ${command} --help)`);
  const url = queueUrl(args.queue, (line) => process.stderr.write(`warning: ${line}\n`));
  // read once: nothing this process starts (git, training processes, BullMQ's sandbox) inherits the password
  delete process.env['VAELAB_QUEUE'];
  return url;
}

/**
 * `npx tsx run <sweep config> --queue URL`: enqueues the sweep and, unless --detach, shows how many points
 * wait, run, are done and failed until the sweep's parent job ends, then the same table a local sweep
 * prints. Ctrl-C stops only the waiting: the sweep goes on in the queue (`run status` follows it).
 */
export async function queuedSweepCommand(config: Config, args: CliArgs): Promise<number> {
  const url = needQueue(args, 'a queued sweep');
  let last = '';
  let drawn = 0; // bar lines on the terminal now
  const onRows = (rows: PointRow[]) => {
    const counts: StateCounts = { waiting: 0, active: 0, done: 0, failed: 0 };
    for (const r of rows) counts[stateGroup(r.state)]++;
    const line = Object.entries(counts).map(([k, n]) => `${k} ${n}`).join('  ');
    if (line === last) return;
    last = line;
    // A terminal redraws one bar per state in place; a log (CI, a file) gets a line per change.
    if (!process.stderr.isTTY) return log(line);
    const bars = progressBars(counts);
    process.stderr.write(redraw(bars, drawn));
    drawn = bars.length;
  };
  const submitted = await submitSweep(config, { url, attempts: args.attempts ?? 3, detach: args.detach, out: args.out, log, onRows });
  if (submitted.result === null) {
    process.stdout.write(`${submitted.plan.id}\n`);
    return EXIT.ok;
  }
  const { summary, comparison, host, sweepDir } = submitted.result;
  process.stdout.write(`${printable(formatSweepTable(summary), '\n')}\n${submitted.sweepDir}\n`); // the summary came through Redis
  if (comparison.indexPath !== null) process.stdout.write(`${comparison.indexPath}\n`);
  if (comparison.points.length < summary.points.length) {
    log(`the comparison on ${host} holds ${comparison.points.length} of ${summary.points.length} points (the others trained on machines that share no disk with it): gather the point folders into one ${sweepDir} and run npx tsx run compare on it`);
  }
  if (comparison.error !== null) log(`comparison report failed on ${host}: ${comparison.error}`);
  return summary.status === 'completed' ? EXIT.ok : EXIT.failed;
}

/** `npx tsx run worker --queue URL`: trains queued points until Ctrl-C or SIGTERM. */
export async function workerCommand(args: CliArgs): Promise<number> {
  const url = needQueue(args, 'worker');
  if (args.positional.length > 0) throw new VaelabError(`worker takes no file or folder (found ${args.positional[0]!}); see worker --help`);
  const worker = await startWorker({ url, out: args.out, reports: args.reports, concurrency: args.concurrency ?? 1, backend: args.backend, dataRoot: args.data, log });
  const stopListening = onInterrupt(() => void worker.stop(), 'running points write a checkpoint and go back to the queue');
  try {
    await worker.closed;
  } finally {
    stopListening();
  }
  log('worker stopped');
  return EXIT.ok;
}

/** `npx tsx run status --queue URL [sweepId] [--json]`. */
export async function statusCommand(args: CliArgs): Promise<number> {
  const url = needQueue(args, 'status');
  if (args.positional.length > 1) throw new VaelabError('status takes at most one sweep id (see status --help)');
  const queues = await openQueues(url, 'status', log);
  try {
    const id = args.positional[0];
    if (id === undefined) {
      const { rows, skipped } = await sweepRows(queues);
      // a job that is not a readable sweep is named on stderr, so --json stays the list of sweeps
      for (const s of skipped) log(`skipped sweep job ${s.id}: ${s.reason}`);
      if (args.json) process.stdout.write(`${printableJson(rows)}\n`);
      else process.stdout.write(rows.length === 0 ? `no sweeps in the queue at ${queues.q.shown}\n` : `${formatSweepRows(rows)}\n`);
      return EXIT.ok;
    }
    const sweep = await sweepJobData(queues, id);
    const rows = await Promise.all(sweep.points.map((p) => pointRow(queues, p)));
    process.stdout.write(args.json ? `${printableJson({ id, name: sweep.sweep.name, points: rows })}\n` : `${printable(`${sweep.sweep.name}/${id}`)}\n${formatPointRows(rows)}\n`);
    return EXIT.ok;
  } finally {
    await queues.close();
  }
}
