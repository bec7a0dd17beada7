// End-to-end rows of `npm run bench`: whole runs through the CLI, timed as a user sees them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EndToEnd {
  what: string;
  command: string;
  wallSeconds: number; // the whole command, report included
  trainSeconds: number; // run.json: optimizer steps only
  samplesPerSecond: number | null;
  iwae: { samples: number; images: number; seconds: number } | null;
  reportSeconds: number | null; // report.json: the stages' time
  tsneSeconds: number | null; // report.json: the t-SNE stage's share of it
  peakRssMb: number | null; // /usr/bin/time's maximum resident set size
  tensorsByEpoch: number[]; // tf.memory().numTensors after each epoch, from the run's log.jsonl
  backend: string;
}

function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/**
 * Runs `npx tsx run <config> [--set ...]` into a temp folder and reads what it wrote; `inspect` sees the
 * run and report folders before they are deleted.
 */
export function endToEnd(what: string, config: string, set: string[], inspect?: (runDir: string, reportDir: string | null) => void): EndToEnd {
  const out = mkdtempSync(join(tmpdir(), 'vaelab-bench-'));
  const args = ['run.ts', config, '--out', join(out, 'experiments'), '--reports', join(out, 'reports'), ...set.flatMap((s) => ['--set', s])];
  const timer = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'peak-rss-kb %M'] : [];
  const t0 = performance.now();
  const r = spawnSync(timer[0] ?? 'npx', [...timer.slice(1), ...(timer.length > 0 ? ['npx'] : []), 'tsx', ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  const root = join(out, 'experiments');
  const name = readdirSync(root)[0]!;
  const runDir = join(root, name, readdirSync(join(root, name))[0]!);
  const info = json(join(runDir, 'run.json')) as { trainSeconds: number; samplesPerSecond: number | null; backend: { name: string } };
  const metrics = json(join(runDir, 'metrics.json')) as { iwae: { samples: number; images: number; seconds: number } | null };
  const reportRoot = join(out, 'reports', name);
  const reportDir = existsSync(reportRoot) ? join(reportRoot, readdirSync(reportRoot)[0]!) : null;
  const report = reportDir !== null && existsSync(join(reportDir, 'report.json')) ? (json(join(reportDir, 'report.json')) as { seconds: number; stages: { type: string; seconds: number }[] }) : null;
  const rss = /peak-rss-kb (\d+)/.exec(r.stderr)?.[1];
  const tensorsByEpoch = readFileSync(join(runDir, 'log.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"numTensors"'))
    .map((line) => (JSON.parse(line) as { numTensors: number }).numTensors);
  inspect?.(runDir, reportDir);
  rmSync(out, { recursive: true, force: true });
  return {
    what,
    command: `npx tsx run ${config}${set.map((s) => ` --set ${s}`).join('')}`,
    wallSeconds,
    trainSeconds: info.trainSeconds,
    samplesPerSecond: info.samplesPerSecond,
    iwae: metrics.iwae === null ? null : { samples: metrics.iwae.samples, images: metrics.iwae.images, seconds: metrics.iwae.seconds },
    reportSeconds: report?.seconds ?? null,
    tsneSeconds: report?.stages.find((st) => st.type === 'tsne')?.seconds ?? null,
    peakRssMb: rss === undefined ? null : Number(rss) / 1024,
    tensorsByEpoch,
    backend: info.backend.name,
  };
}

/** "412 (flat over 10 epochs)" or every count where they move. */
function tensorsText(counts: number[]): string {
  if (counts.length === 0) return '-';
  return counts.every((c) => c === counts[0]) ? `${counts[0]} (flat over ${counts.length} epochs)` : counts.join(', ');
}

export function endToEndRows(rows: EndToEnd[]): string[] {
  const s = (x: number | null, digits = 0) => (x === null ? '-' : x.toFixed(digits));
  return [
    '| run | backend | whole command (s) | training (s) | samples/s | IWAE (K x images: s) | report (s) | of which t-SNE (s) | peak RSS (MB) | tensors after each epoch |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${r.backend} | ${s(r.wallSeconds, 1)} | ${s(r.trainSeconds, 1)} | ${s(r.samplesPerSecond)} | ${r.iwae === null ? '-' : `${r.iwae.samples} x ${r.iwae.images}: ${r.iwae.seconds.toFixed(1)}`} | ${s(r.reportSeconds, 1)} | ${s(r.tsneSeconds, 1)} | ${s(r.peakRssMb)} | ${tensorsText(r.tensorsByEpoch)} |`),
  ];
}
