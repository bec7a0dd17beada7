import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configIssues as issues } from '../helpers/config-issues.js';
import { describe, expect, it } from 'vitest';
import { betaAt, epochBeta, stepLoss, warmupSteps } from '../../src/config/kl-schedule.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigSchema } from '../../src/config/schema.js';

const loss = (over: Record<string, unknown>) => ConfigSchema.parse({ loss: over }).loss;

describe('the KL warm-up: beta * min(1, t / N)', () => {
  it('in epochs: constant within an epoch, 0 in the first, beta from epoch N (0-based) on', () => {
    const l = loss({ warmup: { epochs: 4 } });
    const at = (epoch: number, step: number) => betaAt(l, { epoch, step, stepsPerEpoch: 10 });
    expect([0, 1, 2, 3, 4, 5, 100].map((e) => at(e, 0))).toEqual([0, 0.25, 0.5, 0.75, 1, 1, 1]);
    expect(at(1, 9)).toBe(0.25); // the last step of an epoch keeps the epoch's weight
    expect(at(3, 9)).toBe(0.75);
  });

  it('in steps: counted across epochs from 0, beta from step N on', () => {
    const l = loss({ warmup: { steps: 25 } });
    const at = (epoch: number, step: number) => betaAt(l, { epoch, step, stepsPerEpoch: 10 });
    expect(at(0, 0)).toBe(0);
    expect(at(0, 5)).toBe(0.2);
    expect(at(1, 0)).toBe(0.4); // step 10 overall
    expect(at(2, 4)).toBe(0.96); // step 24: the last under the full weight
    expect(at(2, 5)).toBe(1); // step 25
    expect(at(9, 9)).toBe(1);
  });

  it('composes with loss.beta, and without a warm-up is loss.beta itself at every step', () => {
    const l = loss({ beta: 4, warmup: { epochs: 2 } });
    expect([0, 1, 2, 3].map((epoch) => betaAt(l, { epoch, step: 3, stepsPerEpoch: 5 }))).toEqual([0, 2, 4, 4]);
    const plain = loss({ beta: 0.3 });
    expect(betaAt(plain, { epoch: 0, step: 0, stepsPerEpoch: 5 })).toBe(0.3);
    expect(stepLoss(plain, { epoch: 7, step: 2, stepsPerEpoch: 5 })).toEqual({ objective: 'elbo', samples: 1, beta: 0.3, reconstructionWeight: 1, freeBits: null });
  });

  it("an epoch's weight is the image-weighted mean of its steps' (a short last batch counts less)", () => {
    const l = loss({ beta: 2, warmup: { steps: 4 } });
    // 10 images in batches of 4: steps of 4, 4, 2 images; epoch 0 steps 0, 1, 2 at 0, 0.5, 1
    expect(epochBeta(l, 0, { images: 10, batchSize: 4 })).toBeCloseTo((0 * 4 + 0.5 * 4 + 1 * 2) / 10, 12);
    expect(epochBeta(l, 1, { images: 10, batchSize: 4 })).toBeCloseTo((1.5 * 4 + 2 * 4 + 2 * 2) / 10, 12); // steps 3, 4, 5
    expect(epochBeta(loss({ beta: 2, warmup: { epochs: 4 } }), 1, { images: 10, batchSize: 4 })).toBe(0.5);
    expect(epochBeta(loss({ beta: 2 }), 0, { images: 10, batchSize: 4 })).toBe(2);
    expect(warmupSteps({ epochs: 3 }, 7)).toBe(21);
    expect(warmupSteps({ steps: 5 }, 7)).toBe(5);
  });
});

describe('warm-up and free-bits keys', () => {
  it('default to off, and take their unit from the key, also from --set', () => {
    expect(ConfigSchema.parse({}).loss).toMatchObject({ warmup: null, freeBits: null });
    const file = join(mkdtempSync(join(tmpdir(), 'vaelab-warmup-')), 'c.yaml');
    writeFileSync(file, 'loss:\n  freeBits: 0.25\n');
    const { config } = loadConfig(file, { set: ['loss.warmup.steps=300'] });
    expect(config.loss).toMatchObject({ warmup: { steps: 300 }, freeBits: 0.25 });
  });

  it('refuse, with the key and what was expected, a malformed warm-up, a floor <= 0, and either on iwae or with beta 0', () => {
    expect(issues('loss:\n  warmup:\n    epochs: 0\n')).toEqual(['3 loss.warmup.epochs: expected >= 1, found number 0']);
    const shape = 'expected one of {epochs: N} (whole epochs) or {steps: N} (optimizer steps), N >= 1, found a mapping';
    expect(issues('loss:\n  warmup:\n    epoch: 5\n')).toEqual([`3 loss.warmup: ${shape}`]);
    expect(issues('loss:\n  warmup: {epochs: 5, steps: 10}\n')).toEqual([`2 loss.warmup: ${shape}`]);
    expect(issues('loss:\n  warmup: 5\n')).toEqual([expect.stringMatching(/^2 loss\.warmup: expected one of \{epochs: N\}.*found number 5$/)]);
    expect(issues('loss:\n  freeBits: 0\n')).toEqual(['2 loss.freeBits: expected > 0, found number 0']);
    expect(issues('loss:\n  objective: iwae\n  samples: 5\n  warmup: {epochs: 3}\n  freeBits: 0.5\n')).toEqual([
      '4 loss.warmup: loss.objective iwae has no KL term to warm up or floor (its log-weights are whole densities): expected null, found {"epochs":3}',
      '5 loss.freeBits: loss.objective iwae has no KL term to warm up or floor (its log-weights are whole densities): expected null, found 0.5',
    ]);
    expect(issues('loss:\n  beta: 0\n', ['loss.freeBits=0.5'])).toEqual([
      '- loss.freeBits: loss.beta is 0, so the KL term is not in the objective and freeBits changes nothing: expected null, found 0.5',
    ]);
  });
});
