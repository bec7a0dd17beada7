import { configIssues as issues } from '../helpers/config-issues.js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { endsStage, learningRateAt, plannedEpochs, stageOf } from '../../src/config/schedule.js';
import { ConfigSchema } from '../../src/config/schema.js';

const paper = (stages: number | null = null) => ConfigSchema.parse({ train: { epochs: null, schedule: { type: 'iwae-paper', stages } } }).train;

describe('the iwae-paper schedule (yburda/iwae experiments.py)', () => {
  it('has 3^(i-1) epochs in stage i at 1e-4 * round(10^(1 - (i-1)/7), 1), 3,280 epochs in all', () => {
    const train = paper();
    expect(plannedEpochs(train)).toBe(3280);
    const firstEpochOfStage = [0, 1, 4, 13, 40, 121, 364, 1093];
    const rates = firstEpochOfStage.map((e) => learningRateAt(train, e));
    const published = [1e-3, 7.2e-4, 5.2e-4, 3.7e-4, 2.7e-4, 1.9e-4, 1.4e-4, 1e-4];
    rates.forEach((r, i) => expect(r).toBeCloseTo(published[i]!, 12));
    expect(firstEpochOfStage.map(stageOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(learningRateAt(train, 3)).toBe(rates[1]); // the last epoch of stage 2
    expect(learningRateAt(train, 3279)).toBe(rates[7]);
  });

  it('is cut short by stages, and ends a stage after epochs 1, 4, 13 (0-based 0, 3, 12)', () => {
    expect([1, 2, 3, 8].map((s) => plannedEpochs(paper(s)))).toEqual([1, 4, 13, 3280]);
    const ends = Array.from({ length: 13 }, (_, e) => e).filter((e) => endsStage(paper(3), e));
    expect(ends).toEqual([0, 3, 12]);
  });

  it('leaves the constant schedule as it was: train.epochs at train.learningRate, no stage ends', () => {
    const train = ConfigSchema.parse({ train: { epochs: 7, learningRate: 0.003 } }).train;
    expect(plannedEpochs(train)).toBe(7);
    expect([0, 3, 6].map((e) => learningRateAt(train, e))).toEqual([0.003, 0.003, 0.003]);
    expect([0, 3].map((e) => endsStage(train, e))).toEqual([false, false]);
  });

  it('refuses, with the key and line, epochs beside the paper schedule, stages on a constant one, and weighted IWAE', () => {
    expect(issues('train:\n  schedule:\n    type: iwae-paper\n')).toEqual([
      expect.stringMatching(/^1 train\.epochs: the iwae-paper schedule sets the epochs .*expected null, found 10$/),
    ]);
    expect(issues('train:\n  schedule:\n    stages: 2\n')).toEqual(['3 train.schedule.stages: stages belong to the iwae-paper schedule, not constant: expected null, found 2']);
    expect(issues('train:\n  epochs: null\n')).toEqual(['2 train.epochs: a constant schedule trains train.epochs epochs: expected a number, found null']);
    expect(issues('loss:\n  objective: iwae\n  beta: 4\n')).toEqual([expect.stringMatching(/^3 loss\.beta: loss\.objective iwae weighs no terms .*found 4$/)]);
  });

  it('the shipped presets: cut to 2 stages from the command line, they train 4 epochs of the paper', () => {
    for (const name of ['vae-k1', 'vae-k5', 'vae-k50', 'iwae-k1', 'iwae-k5', 'iwae-k50']) {
      const { config } = loadConfig(`configs/iwae-paper/${name}.yaml`, { set: ['train.schedule.stages=2'] });
      expect(plannedEpochs(config.train)).toBe(4);
      expect(config.loss.samples).toBe(Number(name.split('-k')[1]));
      expect(config.loss.objective).toBe(name.startsWith('iwae') ? 'iwae' : 'elbo');
      expect(config.model).toMatchObject({ hidden: [200, 200], latentDim: 50, activation: 'tanh', init: 'glorot', outputBias: 'data-mean' });
      expect(config.data).toMatchObject({ heldOut: 400, shuffle: false, binarize: 'dynamic' });
      expect(config.train).toMatchObject({ batchSize: 20, adam: { beta1: 0.99, beta2: 0.999, epsilon: 1e-4 } });
    }
  });
});
