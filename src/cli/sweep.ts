import type { Config } from '../config/schema.js';
import { buildComparison } from '../report/compare/index.js';
import { runSweep, type SweepEvent } from '../sweep/runner.js';
import { formatSweepTable } from '../sweep/table.js';
import type { CliArgs } from './args.js';
import { onInterrupt } from './interrupt.js';
import { pointReportProblems } from './sweep-reports.js';
import { formatSeconds } from './progress.js';

/**
 * `npx tsx run <config with a sweep> [--jobs N]`: runs the sweep's points (each in its own process), logs
 * one line per point event on stderr, then prints the summary table and the sweep folder on stdout.
 * Exit 0 when every point completed, 1 when one failed or a completed point's report did, 130 when
 * interrupted (rerun to resume).
 */
export async function sweepCommand(config: Config, args: Pick<CliArgs, 'out' | 'reports' | 'jobs'>): Promise<number> {
  const controller = new AbortController();
  const stopListening = onInterrupt(() => controller.abort(), 'running points finish their step and write a checkpoint; rerun the same command to resume');
  try {
    const { sweepDir, summary } = await runSweep(config, {
      out: args.out,
      reports: args.reports,
      jobs: args.jobs ?? 1,
      signal: controller.signal,
      onEvent: (e) => {
        const line = eventLine(e);
        if (line !== null) process.stderr.write(`${line}\n`);
      },
    });
    process.stdout.write(`${formatSweepTable(summary)}\n${sweepDir}\n`);
    if (summary.points.some((p) => p.status === 'completed')) {
      // The comparison is a view of runs already saved: if it fails, say so and keep the sweep's exit code.
      try {
        const comparison = await buildComparison([sweepDir], args.reports, { experiments: args.out, log: (m) => process.stderr.write(`${m}\n`) });
        process.stdout.write(`${comparison.indexPath}\n`);
      } catch (err) {
        process.stderr.write(`comparison report failed (retry with npx tsx run compare ${sweepDir}): ${(err as Error).message}\n`);
      }
    }
    const reportProblems = pointReportProblems(sweepDir, summary, args.reports);
    for (const line of reportProblems) process.stderr.write(`error: ${line}${args.reports === 'reports' ? '' : ` --reports ${args.reports}`}\n`);
    if (summary.status === 'interrupted') return 130;
    return summary.status === 'completed' && reportProblems.length === 0 ? 0 : 1;
  } finally {
    stopListening();
  }
}

function eventLine(e: SweepEvent): string | null {
  switch (e.type) {
    case 'plan':
      return `sweep ${e.sweepDir}: ${e.points} points, ${e.points - e.toRun} already completed, ${e.toRun} to run, ${e.jobs} at a time`;
    case 'start':
      return `[${e.point}] ${e.action === 'new' ? 'started' : 'resuming'}: ${e.runDir}`;
    case 'progress': {
      if (e.progress.type !== 'epoch') return null;
      const m = e.progress.metrics;
      return `[${e.point}] epoch ${m.epoch}: test -ELBO ${m.test.negElbo.toFixed(2)} nats/image, ${m.samplesPerSecond.toFixed(0)} samples/s`;
    }
    case 'end': {
      const p = e.point;
      if (p.action === 'skipped') return `[${p.name}] completed earlier: skipped`;
      const took = p.seconds === null ? '' : ` after ${formatSeconds(p.seconds)}`;
      if (p.status === 'failed') return `[${p.name}] failed${took}: ${p.error ?? ''}`;
      if (p.status !== 'completed' || p.metrics === null) return `[${p.name}] ${p.status}${took}`;
      const iwae = p.metrics.iwaeNll === null ? '' : `, IWAE NLL ${p.metrics.iwaeNll.toFixed(2)}`;
      return `[${p.name}] completed${took}: test -ELBO ${p.metrics.testNegElbo.toFixed(2)}${iwae}, ${p.metrics.activeUnits}/${p.metrics.latentDim} active units`;
    }
  }
}
