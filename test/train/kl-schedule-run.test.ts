import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { train } from '../../src/jobs/pipeline.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readMetrics } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

describe('a tiny run with a KL warm-up and free bits', () => {
  it('logs each epoch its weight and the floored KL, and still reports the true ELBO', async () => {
    const config = tinyConfig({ name: 'warm', model: { latentDim: 4 }, loss: { beta: 2, warmup: { epochs: 2 }, freeBits: 0.3 }, train: { epochs: 3 } });
    const { runDir, status } = await train(config, { out: tempDir() });
    expect(status).toBe('completed');
    const metrics = readMetrics(runDir);
    expect(metrics.map((m) => m.beta)).toEqual([0, 1, 2]); // 2 * min(1, e / 2) for epochs e = 0, 1, 2

    for (const m of metrics) {
      for (const split of [m.train, m.test]) {
        expect(split.negElbo).toBeCloseTo(split.recon + split.kl, 3); // -ELBO stays recon + KL at weight 1
        // each dimension's term is at least its KL, and at least the floor
        expect(split.klFloored!).toBeGreaterThanOrEqual(split.kl - 1e-3);
        expect(split.klFloored!).toBeGreaterThanOrEqual(4 * 0.3 - 1e-6);
        expect(split.dimsAtFloor!).toBeGreaterThanOrEqual(0);
        expect(split.dimsAtFloor!).toBeLessThanOrEqual(4);
      }
      expect(m.test.loss).toBeCloseTo(m.test.recon + m.beta! * m.test.klFloored!, 3);
    }
    // at weight 0 the minimised objective is the reconstruction term alone
    expect(metrics[0]!.train.loss).toBeCloseTo(metrics[0]!.train.recon, 2);
    expect(metrics[2]!.train.loss).toBeGreaterThan(metrics[2]!.train.recon + 2 * metrics[2]!.train.kl - 1e-3);

    const final = readEvalMetrics(runDir)!;
    const last = metrics[2]!.test;
    expect(final.test.negElbo).toBeCloseTo(last.negElbo, 4); // the same images and z: per-image sums against sums of means
    expect(final.test.negElbo).toBeCloseTo(final.test.recon + final.test.kl, 3);
    expect(final.test.negElbo).not.toBeCloseTo(last.loss, 1);

    const lines = readFileSync(join(runDir, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"msg":"epoch '));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/epoch 1\/3: train loss [\d.]+, β 0\.000, floored KL [\d.]+ with [\d.]+ of 4 dims under 0\.3 nats, test -ELBO/);
    expect(lines[2]).toContain('β 2.000');
  });

  it('warns when the warm-up outlasts the run, so the weight never reaches loss.beta', async () => {
    const config = tinyConfig({ name: 'long-warm', data: { trainLimit: 128, testLimit: 64 }, loss: { warmup: { steps: 4 } }, train: { epochs: 2 } });
    const { runDir } = await train(config, { out: tempDir() }); // 2 steps an epoch: 4 in all
    expect(readFileSync(join(runDir, 'log.jsonl'), 'utf8')).toContain('loss.warmup {\\"steps\\":4} lasts 4 steps but the run trains 4: the KL weight never reaches loss.beta 1');
    expect(readMetrics(runDir).map((m) => m.beta)).toEqual([0.125, 0.625]); // steps 0, 1 then 2, 3 at t / 4
  });
});
