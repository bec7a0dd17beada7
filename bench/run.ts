// `npm run bench`: training-step throughput of the shipped model shapes, per backend, in one process, then
// the IWAE estimate at K = 1000, whole runs, the queue, the evaluation and the t-SNE rows; `npm run bench -- --only tsne`
// runs the t-SNE rows alone (~5 min), `--only iwae` the IWAE rows alone (~6 min), `--only eval` the evaluation rows (~2 min).
// Figures are medians over timed steps after warm-up; compare the ratios, not the absolutes (shared machine).
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { nativeThreads } from '../src/backend/native/install.js';
import { endToEnd, endToEndRows, type EndToEnd } from './end-to-end.js';
import { iwaeBench, iwaeRows, type IwaeRow } from './iwae.js';
import { evaluationBench, evaluationRows, type EvaluationBench } from './evaluation.js';
import { queueBench, queueRows } from './queue.js';
import { tsneBench, tsneRows, tsneSkipReason, type TsneBench } from './tsne.js';
import { registerKernelFixes, restoreStockKernels } from '../src/backend/kernels/index.js';
import { selectBackend } from '../src/backend/select.js';
import { buildVae, disposeVae } from '../src/models/registry.js';
import type { VaeSpec } from '../src/models/types.js';
import { createAdam } from '../src/train/optimizer.js';
import { trainableVariables, trainStep } from '../src/train/step.js';

interface Case {
  name: string;
  spec: VaeSpec;
  batch: number;
  steps: number;
  backends: ('wasm' | 'cpu' | 'native' | 'stock wasm' | 'webgpu' | 'tensorflow-gpu')[];
}

const base = { kind: 'vae', latentDim: 2, init: 'pytorch', imageSize: 784, height: 28, width: 28, numClasses: 10 } as const;
const cases: Case[] = [
  { name: 'MLP 784-256-2 VAE', spec: { ...base, arch: 'mlp', hidden: [256], activation: 'relu', outputBias: 'zero' }, batch: 128, steps: 40, backends: ['stock wasm', 'wasm', 'native', 'cpu', 'webgpu', 'tensorflow-gpu'] },
  { name: 'MLP CVAE 784-256-2', spec: { ...base, kind: 'cvae', arch: 'mlp', hidden: [256], activation: 'relu', outputBias: 'zero' }, batch: 128, steps: 40, backends: ['wasm', 'native', 'webgpu'] },
  { name: 'MLP 784-512-2 VAE', spec: { ...base, arch: 'mlp', hidden: [512], activation: 'relu', outputBias: 'zero' }, batch: 50, steps: 40, backends: ['wasm', 'native', 'webgpu'] },
  { name: 'conv VAE with BatchNorm, z=2', spec: { ...base, arch: 'conv' }, batch: 128, steps: 6, backends: ['stock wasm', 'wasm', 'native', 'webgpu', 'tensorflow-gpu'] },
];

async function samplesPerSecond(c: Case): Promise<number> {
  tf.engine().startScope();
  const vae = buildVae(c.spec, 1);
  const adam = createAdam(1e-3);
  const vars = trainableVariables(vae);
  const x = tf.randomUniform([c.batch, 784], 0, 1, 'float32', 3) as tf.Tensor2D;
  const y = c.spec.kind === 'cvae' ? (tf.oneHot(tf.tensor1d(Array.from({ length: c.batch }, (_, i) => i % 10), 'int32'), 10).toFloat() as tf.Tensor2D) : null;
  const times: number[] = [];
  for (let i = 0; i < c.steps + 2; i++) {
    const t0 = performance.now();
    await trainStep({ vae, optimizer: adam, variables: vars }, { x, y, size: c.batch }, { weights: { objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 1, freeBits: null }, epsSeed: i });
    if (i >= 2) times.push(performance.now() - t0); // two warm-up steps build kernels and caches
  }
  disposeVae(vae);
  adam.dispose();
  tf.engine().endScope();
  times.sort((a, b) => a - b);
  return c.batch / (times[Math.floor(times.length / 2)]! / 1000);
}

type TorchReference = { torch: string; samplesPerSecond: Record<string, number>; cuda?: string; cudaSamplesPerSecond?: Record<string, number> };

/** Runs of the PyTorch reference: its speed varies by up to 2x from one process to the next on a 2-vCPU VM. */
const TORCH_RUNS = 3;

/**
 * PyTorch CPU on the same cases, in this run (bench/pytorch_reference.py), or null where torch is absent:
 * the best of TORCH_RUNS processes for each case, so a slow start never flatters our ratios. It runs in
 * its own processes after ours, so the two never share the cores.
 */
function pytorchReference(): TorchReference | null {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return null;
  const runs = Array.from({ length: TORCH_RUNS }, () => {
    const r = spawnSync(python, [join('bench', 'pytorch_reference.py')], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    if (r.status !== 0) throw new Error(`bench/pytorch_reference.py failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchReference;
  });
  const best = (pick: (t: TorchReference) => Record<string, number> | undefined) => {
    const out: Record<string, number> = {};
    for (const t of runs) for (const [k, v] of Object.entries(pick(t) ?? {})) out[k] = Math.max(out[k] ?? 0, v);
    return out;
  };
  const first = runs[0]!;
  return { ...first, samplesPerSecond: best((t) => t.samplesPerSecond), ...(first.cudaSamplesPerSecond === undefined ? {} : { cudaSamplesPerSecond: best((t) => t.cudaSamplesPerSecond) }) };
}

const SECTIONS = ['tsne', 'iwae', 'eval'] as const;
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? null : process.argv[onlyAt + 1];
if (only !== null && !(SECTIONS as readonly (string | undefined)[]).includes(only)) {
  process.stderr.write(`bench: --only takes one of ${SECTIONS.join(', ')}, got ${only ?? 'nothing'}\n`);
  process.exit(2);
}

const results: { model: string; batch: number; backend: string; samplesPerSecond: number; note?: string | undefined }[] = [];
const gpuLabels = new Map<string, string>();
const hardwareGpu = new Set<string>(); // GPU backends that started on a real GPU: they get whole-run rows too
const onHardware = (c: Awaited<ReturnType<typeof selectBackend>>) => c.name === 'tensorflow-gpu' || (c.adapter !== undefined && !c.adapter.software);

/** Starts a GPU backend for the rows; its label names the device (webgpu's adapter). */
async function gpuBackend(b: 'webgpu' | 'tensorflow-gpu'): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const choice = await selectBackend(b);
    if (onHardware(choice)) hardwareGpu.add(b);
    const a = choice.adapter;
    if (a !== undefined) gpuLabels.set(b, `webgpu on ${a.description || a.device || a.vendor}${a.software ? ' (software adapter)' : ''}`);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message.replace(/^backend '[^']+' cannot be used: /, '') };
  }
}
/** The IWAE rows, on native where it loads (the backend evaluations use), else wasm. */
async function iwaeSection(): Promise<IwaeRow[]> {
  const backend = (await selectBackend('auto')).name === 'native' ? 'native' : 'wasm';
  await selectBackend(backend);
  const pick = (name: string) => ({ name, spec: cases.find((c) => c.name === name)!.spec });
  return iwaeBench([pick('MLP 784-256-2 VAE'), pick('conv VAE with BatchNorm, z=2')], backend, (line) => process.stderr.write(`${line}\n`));
}

let torch: ReturnType<typeof pytorchReference> = null;
let iwae: IwaeRow[] = [];
let runs: EndToEnd[] = [];
let queue: Awaited<ReturnType<typeof queueBench>> | null = null;
if (only === null) {
  for (const c of cases) {
    for (const b of c.backends) {
      // the GPU rows where a GPU backend starts (webgpu names its adapter; a software one is labelled so)
      const gpu = b === 'webgpu' || b === 'tensorflow-gpu' ? await gpuBackend(b) : null;
      if (gpu !== null && !gpu.ok) {
        results.push({ model: c.name, batch: c.batch, backend: b, samplesPerSecond: NaN, note: `not available: ${gpu.reason}` });
        continue;
      }
      if (gpu === null) await selectBackend(b === 'stock wasm' ? 'wasm' : b);
      if (b === 'stock wasm') restoreStockKernels('wasm');
      let sps: number;
      let note: string | undefined;
      try {
        sps = await samplesPerSecond(c);
      } catch (err) {
        sps = NaN; // stock tfjs 4.22 wasm has no Conv2DBackpropFilter: the conv model cannot train there
        note = `cannot train: ${(err as Error).message.split('\n')[0]}`;
        tf.engine().endScope();
      }
      if (b === 'stock wasm') registerKernelFixes('wasm');
      results.push({ model: c.name, batch: c.batch, backend: b, samplesPerSecond: sps, note });
      process.stderr.write(`${c.name} on ${b}: ${note ?? `${sps.toFixed(0)} samples/s`}\n`);
    }
  }
  torch = pytorchReference();
  iwae = await iwaeSection();
  process.stderr.write('end to end: configs/beta4.yaml, then a conv CVAE on 3,000 images (a few minutes)\n');
  runs = [
    endToEnd('beta4 (MLP 784-256-10, 10 epochs, full MNIST)', 'configs/beta4.yaml', []),
    endToEnd('conv CVAE z=2, 3,000 images, 2 epochs, default evaluation and report', 'configs/cvae-conv-z2.yaml', ['data.trainLimit=3000', 'train.epochs=2']),
    // on a real GPU the same runs on it, and the conv VAE's (a software adapter would take an hour)
    ...[...hardwareGpu].flatMap((b) => [
      endToEnd(`beta4 on ${gpuLabels.get(b) ?? b}`, 'configs/beta4.yaml', [`backend=${b}`]),
      endToEnd(`conv VAE z=2, 10 epochs, on ${gpuLabels.get(b) ?? b}`, 'configs/vae-conv-z2.yaml', [`backend=${b}`]),
    ]),
  ];
  const haveRedis = existsSync('/usr/bin/redis-server');
  process.stderr.write(haveRedis ? 'queue: 500 no-op points, then a 4-point sweep on 1 and 2 workers (about a minute)\n' : 'queue rows skipped: no redis-server (apt-get install redis-server)\n');
  queue = haveRedis ? await queueBench() : null;
  if (torch === null) process.stderr.write('PyTorch reference skipped: python3 cannot import torch (apt-get install python3-torch)\n');
  const rows: string[] = ['| model | batch | backend | samples/s (median step) | vs wasm | vs PyTorch CPU |', '|---|---|---|---|---|---|'];
  for (const c of cases) {
    const of = (backend: string) => results.find((r) => r.model === c.name && r.backend === backend)?.samplesPerSecond;
    const wasm = of('wasm')!;
    const ref = torch?.samplesPerSecond[c.name];
    for (const r of results.filter((x) => x.model === c.name)) {
      const label = gpuLabels.get(r.backend) ?? r.backend;
      if (Number.isNaN(r.samplesPerSecond)) rows.push(`| ${c.name} | ${c.batch} | ${label} | ${r.note ?? 'cannot train'} | - | - |`);
      else rows.push(`| ${c.name} | ${c.batch} | ${label} | ${r.samplesPerSecond.toFixed(0)} | ${(r.samplesPerSecond / wasm).toFixed(2)}x | ${ref === undefined ? '-' : `${(r.samplesPerSecond / ref).toFixed(2)}x`} |`);
    }
    if (ref !== undefined) rows.push(`| ${c.name} | ${c.batch} | PyTorch ${torch!.torch} CPU, 2 threads, best of ${TORCH_RUNS} processes | ${ref.toFixed(0)} | ${(ref / wasm).toFixed(2)}x | 1.00x |`);
    const cuda = torch?.cudaSamplesPerSecond?.[c.name];
    if (cuda !== undefined) rows.push(`| ${c.name} | ${c.batch} | PyTorch ${torch!.torch} CUDA on ${torch!.cuda} | ${cuda.toFixed(0)} | ${(cuda / wasm).toFixed(2)}x | ${ref === undefined ? '-' : `${(cuda / ref).toFixed(2)}x`} |`);
  }
  process.stdout.write(`${rows.join('\n')}\n\n${iwaeRows(iwae).join('\n')}\n\n${endToEndRows(runs).join('\n')}\n${queue === null ? '' : `\n${queueRows(queue).join('\n')}\n`}\n`);
} else if (only === 'iwae') {
  iwae = await iwaeSection();
  process.stdout.write(`${iwaeRows(iwae).join('\n')}\n`);
}
let evaluation: EvaluationBench | null = null;
if (only === null || only === 'eval') {
  evaluation = evaluationBench((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${evaluationRows(evaluation).join('\n')}\n\n`);
}
let tsne: TsneBench | null = null;
const skip = only === 'iwae' || only === 'eval' ? null : tsneSkipReason();
if (skip !== null) process.stderr.write(`${skip}\n`);
else if (only !== 'iwae' && only !== 'eval') {
  tsne = await tsneBench((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${tsneRows(tsne).join('\n')}\n`);
}
// one JSON file per run, so runs can be compared later (bench/results/ is not committed)
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
mkdirSync(join('bench', 'results'), { recursive: true });
writeFileSync(join('bench', 'results', `${stamp}.json`), JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, threads: nativeThreads(), results, pytorch: torch, iwae, endToEnd: runs, queue, evaluation, tsne }, null, 2) + '\n');
