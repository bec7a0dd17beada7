// The evaluation rows of `npm run bench` (alone: `npm run bench -- --only eval`): a 10-epoch
// configs/vae-mlp-z2.yaml run through the CLI, the time of its whole end-of-run evaluation and of each part
// (target: under 20 s for an MLP model on 2 cores), and its latent probes beside scikit-learn's on the same
// posterior means (target: within 1 point of accuracy). The scikit-learn rows are skipped, with the reason
// printed, where python3 cannot import sklearn.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvalMetrics } from '../src/run/eval-metrics.js';
import { readLatents } from '../src/run/latents.js';
import { endToEnd, type EndToEnd } from './end-to-end.js';

const RUN = { config: 'configs/vae-mlp-z2.yaml', set: ['train.epochs=10', 'report.stages=[]'] };

interface Probes {
  linearProbe: number;
  knn: number;
  kmeans: { accuracy: number; nmi: number };
}

export interface EvaluationBench {
  run: EndToEnd;
  evalSeconds: number;
  iwaeSeconds: number | null;
  sampleQualitySeconds: number | null;
  probesSeconds: number | null;
  samples: number | null;
  ours: Probes | null;
  sklearn: (Probes & { sklearn: string; seconds: number }) | { skipped: string };
}

const python = (): string => (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function sklearnProbes(runDir: string, dir: string): EvaluationBench['sklearn'] {
  if (spawnSync(python(), ['-c', 'import sklearn, scipy'], { stdio: 'ignore' }).status !== 0) {
    return { skipped: `${python()} cannot import sklearn and scipy (apt-get install python3-sklearn)` };
  }
  const latents = readLatents(runDir);
  const files = { trainMeans: join(dir, 'train.f32'), testMeans: join(dir, 'test.f32'), trainLabels: join(dir, 'train.u8'), testLabels: join(dir, 'test.u8') };
  writeFileSync(files.trainMeans, latents.splits.train!.mu);
  writeFileSync(files.testMeans, latents.splits.test!.mu);
  writeFileSync(files.trainLabels, latents.splits.train!.labels);
  writeFileSync(files.testLabels, latents.splits.test!.labels);
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ ...files, dim: latents.latentDim, classes: 10 }));
  const r = spawnSync(python(), [join('bench', 'sklearn_probes.py'), manifest], { encoding: 'utf8' });
  if (r.status !== 0) return { skipped: `sklearn_probes.py failed: ${r.stderr.slice(-500)}` };
  return JSON.parse(r.stdout) as Probes & { sklearn: string; seconds: number };
}

export function evaluationBench(log: (line: string) => void): EvaluationBench {
  const dir = mkdtempSync(join(tmpdir(), 'vaelab-eval-bench-'));
  try {
    log(`evaluation: training ${RUN.config} (${RUN.set.join(' ')})`);
    let metrics: EvalMetrics | undefined;
    let sklearn: EvaluationBench['sklearn'] = { skipped: 'the run saved no latents' };
    const run = endToEnd('vae-mlp-z2, 10 epochs', RUN.config, RUN.set, (runDir) => {
      metrics = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8')) as EvalMetrics;
      sklearn = sklearnProbes(runDir, dir);
    });
    const m = metrics!;
    return {
      run,
      evalSeconds: m.evalSeconds,
      iwaeSeconds: m.iwae?.seconds ?? null,
      sampleQualitySeconds: m.sampleQuality?.seconds ?? null,
      probesSeconds: m.latentKnowledge?.seconds ?? null,
      samples: m.sampleQuality?.samples ?? null,
      ours: m.latentKnowledge == null ? null : { linearProbe: m.latentKnowledge.linearProbe, knn: m.latentKnowledge.knn, kmeans: m.latentKnowledge.kmeans },
      sklearn,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const s = (v: number | null) => (v === null ? '-' : v.toFixed(1));
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export function evaluationRows(b: EvaluationBench): string[] {
  const rows = [
    `| end-of-run evaluation, ${b.run.what} on ${b.run.backend} | seconds |`,
    '|---|---|',
    `| whole evaluation (target < 20 s) | ${s(b.evalSeconds)} |`,
    `| of it: IWAE estimate | ${s(b.iwaeSeconds)} |`,
    `| of it: sample quality, ${b.samples ?? '-'} samples | ${s(b.sampleQualitySeconds)} |`,
    `| of it: latent probes | ${s(b.probesSeconds)} |`,
    '',
  ];
  if (b.ours === null) return [...rows, '(the run has no latent probes)'];
  if ('skipped' in b.sklearn) return [...rows, `latent-probe agreement rows skipped: ${b.sklearn.skipped}`];
  const k = b.sklearn;
  const line = (what: string, ours: number, theirs: number) => `| ${what} | ${pct(ours)} | ${pct(theirs)} | ${(100 * Math.abs(ours - theirs)).toFixed(2)} |`;
  return [
    ...rows,
    `| latent probe, same posterior means | vaelab | scikit-learn ${k.sklearn} | points apart (target <= 1) |`,
    '|---|---|---|---|',
    line('linear probe (logistic regression, C = 1)', b.ours.linearProbe, k.linearProbe),
    line('5-NN', b.ours.knn, k.knn),
    line('k-means accuracy (Hungarian)', b.ours.kmeans.accuracy, k.kmeans.accuracy),
    line('k-means NMI (x100)', b.ours.kmeans.nmi, k.kmeans.nmi),
  ];
}
