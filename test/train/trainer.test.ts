import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { batchCount, epochOrder } from '../../src/data/batches.js';
import { DivergenceError } from '../../src/errors.js';
import { encode } from '../../src/models/vae.js';
import { disposeVae } from '../../src/models/registry.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import type { Progress } from '../../src/train/trainer.js';
import type { Config } from '../../src/config/schema.js';
import { loadModel, loadVae, readState } from '../../src/run/checkpoint.js';
import { readLatents } from '../../src/run/latents.js';
import { readMetrics, readRunInfo, type EpochMetrics } from '../../src/run/run-dir.js';
import { syntheticDataset, tempDir, tinyConfig } from '../helpers/tiny.js';

const comparable = (m: EpochMetrics[]) => m.map(({ epoch, steps, beta, train, test }) => ({ epoch, steps, beta, train, test }));

async function weightsOf(runDir: string): Promise<number[][]> {
  const vae = await loadVae(join(runDir, 'checkpoint'));
  // every weight once: a two-layer model's are its conditionals' (the paths leave out h1's variance heads)
  const models = vae.family.trainables(vae);
  const w = models.flatMap((m) => m.getWeights()).map((t) => Array.from(t.dataSync()));
  disposeVae(vae);
  return w;
}

describe('a tiny end-to-end run on real MNIST', () => {
  it('writes a complete, self-describing run directory', async () => {
    const out = tempDir();
    const config = tinyConfig({ name: 'e2e' });
    const result = await train(config, { out });
    const dir = result.runDir;
    expect(result.status).toBe('completed');
    expect(dir).toMatch(/e2e[/\\]\d{8}T\d{6}Z-[0-9a-f]{6}$/);

    const info = readRunInfo(dir);
    expect(info).toMatchObject({ status: 'completed', epochsCompleted: 2, seed: 1, backend: { name: 'wasm' }, dataset: { train: 256, test: 128 } });
    expect(info.samplesPerSecond).toBeGreaterThan(0);
    expect(info.versions.tfjs).toBe('4.22.0');

    const saved = parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8')) as typeof config;
    expect(saved).toEqual(config);

    const metrics = readMetrics(dir);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    for (const m of metrics) {
      for (const split of [m.train, m.test]) {
        expect(split.negElbo).toBeCloseTo(split.recon + split.kl, 3);
        expect(split.recon).toBeGreaterThan(0);
        expect(split.kl).toBeGreaterThanOrEqual(0);
      }
    }
    expect(metrics[1]!.test.negElbo).toBeLessThan(metrics[0]!.test.negElbo);
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8')).toMatch(/"msg":"completed/);

    // The checkpoint is the standard tfjs format, and the latents are what its encoder says.
    const encoder = await loadModel(join(dir, 'checkpoint', 'encoder'));
    expect(encoder.inputs[0]!.shape).toEqual([null, 784]);
    encoder.dispose();
    const latents = readLatents(dir);
    expect(latents.latentDim).toBe(2);
    expect(latents.splits.test!.count).toBe(128);
    expect(latents.splits.train!.count).toBe(256);
    const vae = await loadVae(join(dir, 'checkpoint'));
    const { loadDataset } = await import('../../src/data/datasets.js');
    const data = await loadDataset(config.data, { baseDir: '.' });
    const mu = tf.tidy(() => encode(vae, tf.tensor2d(data.test.images.subarray(0, 4 * 784), [4, 784]), null).mu.dataSync());
    for (let i = 0; i < 8; i++) expect(mu[i]).toBeCloseTo(latents.splits.test!.mu[i]!, 4);
    expect(Array.from(latents.splits.test!.labels.subarray(0, 3))).toEqual([7, 2, 1]);
    disposeVae(vae);
  });
});

/** The config trained through, and trained again with an abort at the first progress event `when` accepts. */
async function fullAndCut(config: Config, out: string, when: (p: Progress) => boolean) {
  const full = await train(config, { out });
  const controller = new AbortController();
  const cut = await train(config, { out, signal: controller.signal, onProgress: (p) => when(p) && controller.abort() });
  return { full, cut };
}

describe('resume', () => {
  const cases = [
    { kind: 'vae', arch: 'mlp', data: {}, backend: 'wasm' },
    { kind: 'cvae', arch: 'mlp', data: {}, backend: 'wasm' },
    // BatchNorm: running statistics (and their recalibration before each evaluation) must resume exactly too
    { kind: 'cvae', arch: 'conv', data: { trainLimit: 128, testLimit: 64 }, backend: 'wasm' },
    // oneDNN on two threads: still the same bits when resumed
    { kind: 'vae', arch: 'mlp', data: {}, backend: 'native' },
    { kind: 'cvae', arch: 'conv', data: { trainLimit: 128, testLimit: 64 }, backend: 'native' },
    // cut at overall step 6 of a 10-step warm-up (4 steps an epoch), and in the second epoch of a 3-epoch one:
    // the weight comes from the step counter, and the floored KL's sums resume with the others
    // the epochs' weights, by hand: steps 0-3, 4-7, 8-11 at t / 10 (capped at 1); epochs 0, 1, 2 at 2 e / 3
    { kind: 'vae', arch: 'mlp', data: {}, backend: 'wasm', loss: { warmup: { steps: 10 }, freeBits: 0.2 }, betas: [0.15, 0.55, 0.925] },
    { kind: 'cvae', arch: 'mlp', data: {}, backend: 'wasm', loss: { beta: 2, warmup: { epochs: 3 } }, betas: [0, 2 / 3, 4 / 3] },
    // the IWAE paper code's Adam: its step count and moments (from ones) are all its state, in the checkpoint
    { kind: 'vae', arch: 'mlp', data: {}, backend: 'wasm', train: { adam: { variant: 'iwae-code', beta1: 0.99, epsilon: 1e-4 }, reduction: 'sum' } },
    { kind: 'cvae', arch: 'mlp', data: {}, backend: 'native', train: { adam: { variant: 'iwae-code', beta1: 0.99, epsilon: 1e-4 }, reduction: 'sum' } },
    // two stochastic layers: the four conditionals are what the checkpoint loads back, with the paths rewired
    { kind: 'vae', arch: 'mlp', data: {}, backend: 'wasm', model: { intermediate: { latentDim: 4, hidden: [8] } }, loss: { objective: 'iwae', samples: 3 } },
    { kind: 'cvae', arch: 'mlp', data: {}, backend: 'native', model: { intermediate: { latentDim: 4, hidden: [8] } }, loss: { samples: 2 }, train: { adam: { variant: 'iwae-code', beta1: 0.99, epsilon: 1e-4 }, reduction: 'sum' } },
  ] as const;
  for (const { kind, arch, data, backend, ...rest } of cases) {
    const loss = 'loss' in rest ? rest.loss : {};
    const train_ = 'train' in rest ? rest.train : {};
    const model = 'model' in rest ? rest.model : {};
    const what = ('model' in rest ? ` with model ${JSON.stringify(model)}` : '') + ('loss' in rest ? ` with loss ${JSON.stringify(loss)}` : '') + ('train' in rest ? ` with train ${JSON.stringify(train_)}` : '');
    it(`continues an interrupted ${arch} ${kind} run on ${backend}${what} to exactly the uninterrupted result`, async () => {
      const out = tempDir();
      const config = tinyConfig({ name: `resume-${arch}-${kind}`, backend, model: { kind, arch, ...model }, data, loss, train: { epochs: 3, ...train_ } });
      const { full, cut } = await fullAndCut(config, out, (p) => p.type === 'step' && p.epoch === 2 && p.step === 2);
      expect(cut.status).toBe('interrupted');
      expect(readRunInfo(cut.runDir).status).toBe('interrupted');
      expect(readState(join(cut.runDir, 'checkpoint'))).toMatchObject({ epoch: 1, step: 2 });
      expect(existsSync(join(cut.runDir, 'latents.bin'))).toBe(false);

      const resumed = await resume(cut.runDir);
      expect(resumed.status).toBe('completed');
      expect(comparable(readMetrics(cut.runDir))).toEqual(comparable(readMetrics(full.runDir)));
      expect(await weightsOf(cut.runDir)).toEqual(await weightsOf(full.runDir));
      await expect(resume(cut.runDir)).rejects.toThrow(/already completed/);
      if ('train' in rest) expect(readState(join(cut.runDir, 'checkpoint')).adam).toBeNull(); // no beta powers: the step count is in optimizer.bin
      if ('betas' in rest) readMetrics(cut.runDir).forEach((m, e) => expect(m.beta).toBeCloseTo(rest.betas[e]!, 12));
    });
  }
});

describe('interrupted during the final evaluation', () => {
  it('is marked interrupted with the last epoch checkpointed; --resume redoes only the evaluation, to the same numbers', async () => {
    const out = tempDir();
    const config = tinyConfig({ name: 'eval-cut', eval: { iwaeImages: 64, iwaeSamples: 200, iwaeBatchSize: 400 } });
    // abort once training is over: the IWAE passes see it
    const { full, cut } = await fullAndCut(config, out, (p) => p.type === 'epoch' && p.metrics.epoch === config.train.epochs);
    expect(cut.status).toBe('interrupted');
    expect(readRunInfo(cut.runDir)).toMatchObject({ status: 'interrupted', epochsCompleted: config.train.epochs });
    expect(existsSync(join(cut.runDir, 'metrics.json'))).toBe(false);
    const resumed = await resume(cut.runDir);
    expect(resumed.status).toBe('completed');
    expect(comparable(readMetrics(cut.runDir))).toEqual(comparable(readMetrics(full.runDir)));
    const numbers = (dir: string) => {
      const m = readEvalMetrics(dir)!;
      return { test: m.test, iwae: { ...m.iwae, seconds: 0 }, latent: m.latent };
    };
    expect(numbers(cut.runDir)).toEqual(numbers(full.runDir));
  });
});

describe('divergence', () => {
  it('stops at the first non-finite loss, names epoch, step and term, and keeps the last good checkpoint', async () => {
    const out = tempDir();
    const dataset = syntheticDataset(200, 50);
    const config = tinyConfig({ name: 'nan', train: { epochs: 3, batchSize: 50 } });
    const poisoned = 123;
    dataset.train.images[poisoned * 784 + 400] = Number.NaN;
    // The poisoned image is met in epoch 1 at the step its shuffled position falls in.
    const position = epochOrder(200, config.seed, 0).indexOf(poisoned);
    const step = Math.floor(position / 50) + 1;
    expect(batchCount(200, 50)).toBe(4);
    const run = train(config, { out, dataset });
    await expect(run).rejects.toThrow(DivergenceError);
    await expect(run).rejects.toThrow(new RegExp(`epoch 1, step ${step} of 4: loss NaN, recon NaN`));
  });

  it('keeps the checkpoint of the last completed epoch when a later epoch diverges', async () => {
    const out = tempDir();
    const dataset = syntheticDataset(100, 20);
    const config = tinyConfig({ name: 'nan2', train: { epochs: 3, batchSize: 50 } });
    let runDir = '';
    const poison = (p: { type: string; epoch?: number }) => {
      if (p.type === 'epoch' && dataset.train.images[0] === dataset.train.images[0]) dataset.train.images.fill(Number.NaN, 0, 784 * 100);
    };
    await expect(train(config, { out, dataset, onProgress: poison })).rejects.toThrow(/epoch 2, step 1 of 2/);
    const { readdirSync } = await import('node:fs');
    runDir = join(out, 'nan2', readdirSync(join(out, 'nan2'))[0]!);
    const info = readRunInfo(runDir);
    expect(info.status).toBe('failed');
    expect(info.error).toMatch(/diverged/);
    expect(readState(join(runDir, 'checkpoint'))).toMatchObject({ epoch: 1, step: 0 });
    const weights = await weightsOf(runDir);
    expect(weights.flat().every(Number.isFinite)).toBe(true);
  });
});

describe('tensor memory', () => {
  it('holds the same number of tensors after every epoch, and releases them all at the end', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await train(tinyConfig({ name: 'leak', model: { arch: 'conv', kind: 'cvae' }, data: { trainLimit: 64, testLimit: 32 }, train: { epochs: 3, batchSize: 32, evalBatchSize: 32 } }), {
      out: tempDir(),
      onProgress: (p) => {
        if (p.type === 'epoch') counts.push(p.numTensors);
      },
    });
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('20 epochs: tensors flat (a leak of one per step would show), memory bounded, every file handle closed at the end', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    await train(tinyConfig({ name: 'warm', train: { epochs: 1 } }), { out: tempDir() }); // the backend opens what it keeps
    const fdsBefore = fds();
    const counts: number[] = [];
    const rss: number[] = [];
    await train(tinyConfig({ name: 'long', data: { trainLimit: 128, testLimit: 32 }, model: { hidden: [16] }, train: { epochs: 20, batchSize: 32, evalBatchSize: 32 } }), {
      out: tempDir(),
      onProgress: (p) => {
        if (p.type !== 'epoch') return;
        counts.push(p.numTensors);
        rss.push(process.memoryUsage().rss);
      },
    });
    expect(counts).toHaveLength(20);
    expect(new Set(counts).size).toBe(1);
    expect(rss[19]! - rss[1]!).toBeLessThan(64 << 20);
    expect(fds()).toBe(fdsBefore);
  });
});
