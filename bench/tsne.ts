// The t-SNE rows of `npm run bench` (alone: `npm run bench -- --only tsne`): our embedding beside
// scikit-learn's Barnes-Hut TSNE on the same latents, timed in this run, both scored by scikit-learn's
// trustworthiness (k = 10). Skipped, with the reason printed, where python3 cannot import sklearn.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherRows, seededSubset } from '../src/report/analysis/picks.js';
import { embed } from '../src/report/analysis/tsne-embedding.js';
import { readLatents } from '../src/run/latents.js';
import { endToEnd, type EndToEnd } from './end-to-end.js';

const SIZES = [2000, 5000, 10000];
const RUN = { config: 'configs/vae-mlp-z2.yaml', set: ['train.epochs=2'] }; // the 2-epoch z=2 run

export interface TsneRow {
  points: number;
  oursSeconds: number;
  sklearnSeconds: number;
  oursTrustworthiness: number;
  sklearnTrustworthiness: number;
  sklearnKl: number;
}

export interface TsneBench {
  sklearn: string;
  sklearnThreads: number;
  run: EndToEnd; // the run whose test latents are embedded; its report timed the t-SNE stage
  stageTrustworthiness: number | null; // of the report's tsne.csv (all test images), when it has them all
  rows: TsneRow[];
}

const python = (): string => (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** Why the t-SNE rows cannot run here, or null when they can. */
export function tsneSkipReason(): string | null {
  if (spawnSync(python(), ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0) return null;
  return `t-SNE rows skipped: ${python()} cannot import sklearn (apt-get install python3-sklearn)`;
}

/** The report's tsne.csv as n x 2 coordinates in test-index order, or null unless it holds all n. */
function stageEmbedding(reportDir: string | null, n: number): Float32Array | null {
  const path = reportDir === null ? '' : join(reportDir, 'tsne.csv');
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  if (lines.length !== n) return null;
  const y = new Float32Array(2 * n);
  for (const line of lines) {
    const cells = line.split(',');
    const index = Number(cells[0]);
    y[2 * index] = Number(cells.at(-2));
    y[2 * index + 1] = Number(cells.at(-1));
  }
  return y;
}

export async function tsneBench(log: (line: string) => void): Promise<TsneBench> {
  const dir = mkdtempSync(join(tmpdir(), 'vaelab-tsne-bench-'));
  try {
    log(`t-SNE: training ${RUN.config} (${RUN.set.join(' ')}) with its default report`);
    let test: { mu: Float32Array; count: number; dim: number } | undefined;
    let stage: Float32Array | null = null;
    const run = endToEnd('vae-mlp-z2, 2 epochs, default report', RUN.config, RUN.set, (runDir, reportDir) => {
      const latents = readLatents(runDir);
      const split = latents.splits.test!;
      test = { mu: split.mu, count: split.count, dim: latents.latentDim };
      stage = stageEmbedding(reportDir, split.count);
    });
    const { mu, count, dim } = test!;
    const cases = [];
    const ours: number[] = [];
    for (const n of SIZES.filter((s) => s <= count)) {
      const points = gatherRows(mu, dim, seededSubset(count, n)); // the subset the stage would embed
      const t0 = performance.now();
      const y = await embed(points, n, dim);
      ours.push((performance.now() - t0) / 1000);
      log(`t-SNE: ours on ${n} points: ${ours.at(-1)!.toFixed(1)} s`);
      const files = { input: join(dir, `x${n}.f32`), ours: { ours: join(dir, `y${n}.f32`) } as Record<string, string> };
      writeFileSync(files.input, points);
      writeFileSync(files.ours.ours!, y);
      if (n === count && stage !== null) {
        files.ours.stage = join(dir, 'stage.f32');
        writeFileSync(files.ours.stage, stage);
      }
      cases.push({ points: n, dim, ...files });
    }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases }));
    log('t-SNE: scikit-learn on the same points (about a minute)');
    const r = spawnSync(python(), [join('bench', 'sklearn_tsne.py'), join(dir, 'manifest.json')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench/sklearn_tsne.py failed: ${r.stderr}`);
    type Result = { points: number; seconds: number; trustworthiness: number; klDivergence: number; oursTrustworthiness: Record<string, number> };
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { sklearn: string; threads: number; cases: Result[] };
    const rows = out.cases.map((c, k) => ({
      points: c.points,
      oursSeconds: ours[k]!,
      sklearnSeconds: c.seconds,
      oursTrustworthiness: c.oursTrustworthiness.ours!,
      sklearnTrustworthiness: c.trustworthiness,
      sklearnKl: c.klDivergence,
    }));
    const stageTrustworthiness = out.cases.find((c) => c.oursTrustworthiness.stage !== undefined)?.oursTrustworthiness.stage ?? null;
    return { sklearn: out.sklearn, sklearnThreads: out.threads, run, stageTrustworthiness, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function tsneRows(b: TsneBench): string[] {
  const full = b.rows.find((r) => r.points === 10000);
  return [
    `| points | ours (s) | scikit-learn ${b.sklearn}, ${b.sklearnThreads} threads (s) | ours / scikit-learn | trustworthiness ours | trustworthiness scikit-learn |`,
    '|---|---|---|---|---|---|',
    ...b.rows.map((r) => `| ${r.points} | ${r.oursSeconds.toFixed(1)} | ${r.sklearnSeconds.toFixed(1)} | ${(r.oursSeconds / r.sklearnSeconds).toFixed(2)}x | ${r.oursTrustworthiness.toFixed(4)} | ${r.sklearnTrustworthiness.toFixed(4)} |`),
    ...(b.run.tsneSeconds === null || full === undefined
      ? []
      : [
          '',
          `The report's t-SNE stage (report.json) on all 10,000 test latents of the same run: ${b.run.tsneSeconds.toFixed(1)} s ` +
            `(${(b.run.tsneSeconds / full.sklearnSeconds).toFixed(2)}x scikit-learn's), trustworthiness of its tsne.csv ` +
            `${b.stageTrustworthiness === null ? '-' : b.stageTrustworthiness.toFixed(4)}.`,
        ]),
  ];
}
