import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import { bernoulliNll, gaussianKl } from '../../src/models/likelihood.js';
import { objective } from '../../src/models/elbo-objective.js';
import { objectiveValue } from '../../src/train/loss.js';
import { createAdam } from '../../src/train/optimizer.js';
import { lossAndGradients, trainableVariables, trainStep } from '../../src/train/step.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('loss terms against hand-computed values', () => {
  it('Bernoulli NLL from logits equals -[x log s(l) + (1-x) log(1-s(l))] summed over pixels', () => {
    const logits = [[0, 2, -3], [10, -10, 0.5]];
    const x = [[1, 0, 0.25], [1, 0, 0]];
    const sig = (l: number) => 1 / (1 + Math.exp(-l));
    const expected = logits.map((row, i) =>
      row.reduce((s, l, j) => s - (x[i]![j]! * Math.log(sig(l)) + (1 - x[i]![j]!) * Math.log(1 - sig(l))), 0),
    );
    const got = tf.tidy(() => bernoulliNll(tf.tensor2d(logits), tf.tensor2d(x)).arraySync());
    expect(got[0]).toBeCloseTo(expected[0]!, 5);
    expect(got[1]).toBeCloseTo(expected[1]!, 5);
    // row 0 by hand: log 2 + log(1+e^2) + [0.25 log(1+e^3) + 0.75 log(1+e^-3)]
    expect(got[0]).toBeCloseTo(Math.log(2) + Math.log(1 + Math.exp(2)) + 0.25 * Math.log(1 + Math.exp(3)) + 0.75 * Math.log(1 + Math.exp(-3)), 5);
  });

  it('stays finite for extreme logits where a sigmoid output would give log(0)', () => {
    const got = tf.tidy(() => bernoulliNll(tf.tensor2d([[200, -200]]), tf.tensor2d([[0, 1]])).arraySync());
    expect(got[0]).toBeCloseTo(400, 3);
  });

  it('KL(N(mu, s^2) || N(0,1)) matches the closed form per dimension', () => {
    // dim 1: mu 1, logVar 0 -> 0.5; dim 2: mu 0, logVar log 4 -> 0.5 (4 - 1 - log 4)
    const got = tf.tidy(() => gaussianKl(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, Math.log(4)]])).arraySync());
    expect(got[0]).toBeCloseTo(0.5 + 0.5 * (4 - 1 - Math.log(4)), 5);
    const zero = tf.tidy(() => gaussianKl(tf.zeros([3, 4]), tf.zeros([3, 4])).arraySync());
    expect(zero).toEqual([0, 0, 0]);
  });

  it('objective is the batch mean of recon + beta * kl, and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const value = tf.tidy(() =>
      objective({ recon: tf.tensor1d([100, 200]), kl: tf.tensor1d([4, 6]) }, { beta: 4, reconstructionWeight: 1 }).dataSync()[0],
    );
    expect(value).toBeCloseTo((100 + 16 + 200 + 24) / 2, 4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('objective weights the reconstruction term by reconstructionWeight (the ablations: 0 and beta 0)', () => {
    const terms = () => ({ recon: tf.tensor1d([100, 200]), kl: tf.tensor1d([4, 6]) });
    const at = (reconstructionWeight: number, beta: number) => tf.tidy(() => objective(terms(), { beta, reconstructionWeight }).dataSync()[0]);
    expect(at(0.5, 2)).toBeCloseTo((0.5 * 100 + 8 + 0.5 * 200 + 12) / 2, 4);
    expect(at(0, 1)).toBeCloseTo(5, 5); // KL only
    expect(at(1, 0)).toBeCloseTo(150, 4); // reconstruction only
    expect(objectiveValue(150, 5, { beta: 2, reconstructionWeight: 0.5 })).toBe(85);
  });

  it('a step with reconstructionWeight 0 leaves the decoder untouched and moves the encoder', async () => {
    const vae = buildVae({ kind: 'vae', arch: 'mlp', hidden: [8], latentDim: 2, init: 'pytorch', activation: 'relu', outputBias: 'zero', imageSize: 784, height: 28, width: 28, numClasses: 10 }, 3);
    const adam = createAdam(0.01);
    const snapshot = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const [enc, dec] = [snapshot(vae.encoder), snapshot(vae.decoder)];
    const x = tf.randomUniform([16, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
    const { applied } = await trainStep({ vae, optimizer: adam, variables: trainableVariables(vae) }, { x, y: null, size: 16 }, { weights: { objective: 'elbo', samples: 1, beta: 1, reconstructionWeight: 0, freeBits: null }, epsSeed: 9 });
    expect(applied).toBe(true);
    expect(snapshot(vae.decoder)).toEqual(dec);
    expect(snapshot(vae.encoder)).not.toEqual(enc);
    x.dispose();
    adam.dispose();
    disposeVae(vae);
  });

  it('train.reduction sum differentiates the batch sum: the gradient is the batch size times the mean one, the logged terms stay means', async () => {
    const vae = buildVae({ kind: 'vae', arch: 'mlp', hidden: [8], latentDim: 2, init: 'pytorch', activation: 'relu', outputBias: 'zero', imageSize: 784, height: 28, width: 28, numClasses: 10 }, 4);
    const variables = trainableVariables(vae);
    const x = tf.randomUniform([12, 784], 0, 1, 'float32', 6) as tf.Tensor2D;
    const weights = { objective: 'iwae', samples: 3, beta: 1, reconstructionWeight: 1, freeBits: null } as const;
    const run = async (reduction: 'mean' | 'sum') => {
      const { value, grads, means } = lossAndGradients(vae, variables, { x, y: null, size: 12 }, { weights, epsSeed: 2, reduction });
      const out = { value: (await value.data())[0]!, means: Array.from(await means.data()), grads: await Promise.all(variables.map(async (v) => Array.from(await grads[v.name]!.data()))) };
      tf.dispose([value, means, ...Object.values(grads)]);
      return out;
    };
    const before = tf.memory().numTensors;
    const mean = await run('mean');
    const sum = await run('sum');
    expect(tf.memory().numTensors).toBe(before);
    expect(sum.means).toEqual(mean.means);
    expect(sum.value).toBeCloseTo(12 * mean.value, 2);
    const flat = (g: number[][]) => g.flat();
    const [gs, gm] = [flat(sum.grads), flat(mean.grads)];
    expect(Math.max(...gm.map(Math.abs))).toBeGreaterThan(1e-3);
    gs.forEach((g, i) => expect(Math.abs(g - 12 * gm[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(12 * gm[i]!))));
    x.dispose();
    disposeVae(vae);
  });
});
