import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { IwaeCodeAdam } from '../../src/train/iwae-code-adam.js';
import { createAdam } from '../../src/train/optimizer.js';
import { adamPowers, restoreAdam } from '../../src/run/optimizer-state.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const LR = 0.01;
const B1 = 0.99;
const B2 = 0.999;
const EPS = 1e-4;

/**
 * optimizers.py's update written as Theano runs it, in float64: every new value from the old ones
 * (new_params uses the moments before this step), timestep from 1, second moments from ones.
 */
function reference(theta0: number[], grads: number[][]): number[] {
  let theta = [...theta0];
  let m = theta.map(() => 0);
  let v = theta.map(() => 1);
  grads.forEach((g, i) => {
    const t = i + 1;
    const alpha = (LR * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t);
    const next = { theta: theta.map((p, j) => p - (alpha * m[j]!) / (Math.sqrt(v[j]!) + EPS)), m: m.map((mj, j) => B1 * mj + (1 - B1) * g[j]!), v: v.map((vj, j) => B2 * vj + (1 - B2) * g[j]! ** 2) };
    ({ theta, m, v } = next);
  });
  return theta;
}

/** Deterministic gradients in [-3, 3). */
function gradients(steps: number, size: number, seed: number): number[][] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 6 - 3;
  return Array.from({ length: steps }, () => Array.from({ length: size }, rand));
}

async function apply(opt: tf.Optimizer, w: tf.Variable, grads: number[][]): Promise<void> {
  for (const g of grads) {
    const tensor = tf.tensor(g, w.shape);
    opt.applyGradients({ [w.name]: tensor });
    tensor.dispose();
  }
}

describe("the IWAE paper code's Adam (train.adam.variant iwae-code)", () => {
  it('takes the steps computed by hand: none at step 1, then the moments of the step before', async () => {
    const w = tf.variable(tf.scalar(1), true, 'iwae-adam-hand');
    const opt = createAdam(LR, { variant: 'iwae-code', beta1: B1, beta2: B2, epsilon: EPS });
    expect(opt.constructor).toBe(IwaeCodeAdam); // not toBeInstanceOf: tfjs answers instanceof for any optimizer
    const values: number[] = [];
    for (const g of [2, -1, 0.5]) {
      await apply(opt, w, [[g]]);
      values.push((await w.data())[0]!);
    }
    // step 1: alpha_1 = 0.01 sqrt(0.001) / 0.01, m_0 = 0: no move; m_1 = 0.02, v_1 = 0.999 + 0.001 * 4 = 1.003
    expect(values[0]).toBe(1);
    // step 2: 1 - alpha_2 m_1 / (sqrt(v_1) + 1e-4), alpha_2 = 0.01 sqrt(1 - 0.999^2) / (1 - 0.99^2) = 0.0224674...
    expect(values[1]).toBeCloseTo(0.9995513687852633, 6);
    // step 3: m_2 = 0.99 * 0.02 - 0.01 = 0.0098, v_2 = 0.999 * 1.003 + 0.001 = 1.002997, alpha_3 = 0.0184320...
    expect(values[2]).toBeCloseTo(0.9993710233026024, 6);
    // tfjs's Adam moves at step 1 already (by about the learning rate)
    const tfjs = tf.variable(tf.scalar(1), true, 'tfjs-adam-hand');
    const adam = createAdam(LR, { beta1: B1, beta2: B2, epsilon: EPS });
    await apply(adam, tfjs, [[2]]);
    expect((await tfjs.data())[0]).toBeCloseTo(1 - LR, 4);
    tf.dispose([w, tfjs]);
    opt.dispose();
    adam.dispose();
  });

  it('matches the float64 reference over 30 steps of a vector, with the learning rate changed mid-way', async () => {
    const theta0 = gradients(1, 50, 7)[0]!;
    const grads = gradients(30, 50, 11);
    const w = tf.variable(tf.tensor1d(theta0), true, 'iwae-adam-vector');
    const opt = new IwaeCodeAdam(LR, B1, B2, EPS);
    await apply(opt, w, grads);
    const got = Array.from(await w.data());
    const want = reference(theta0, grads);
    got.forEach((g, j) => expect(Math.abs(g - want[j]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(want[j]!))));
    expect(Math.max(...got.map((g, j) => Math.abs(g - theta0[j]!)))).toBeGreaterThan(1e-3); // it moved
    // a new rate applies from the next step: alpha is read at every step, like the paper's stages
    opt.learningRate = 0.001;
    expect(opt.stepSize(31)).toBeCloseTo((0.001 * Math.sqrt(1 - B2 ** 31)) / (1 - B1 ** 31), 15);
    w.dispose();
    opt.dispose();
  });

  it('saves and restores its whole state: a restored optimizer continues bit for bit, with no beta powers to keep', async () => {
    const grads = gradients(12, 20, 3);
    const start = gradients(1, 20, 5)[0]!;
    const straight = tf.variable(tf.tensor1d(start), true, 'iwae-adam-straight');
    const a = new IwaeCodeAdam(LR, B1, B2, EPS);
    await apply(a, straight, grads);

    const cut = tf.variable(tf.tensor1d(start), true, 'iwae-adam-cut');
    const first = new IwaeCodeAdam(LR, B1, B2, EPS);
    await apply(first, cut, grads.slice(0, 5));
    expect(await adamPowers(first)).toBeNull();
    // as a checkpoint does: encode getWeights, dispose the fresh iteration scalar, decode into a new optimizer
    const saved = await first.getWeights();
    const { data, specs } = await tf.io.encodeWeights(saved);
    for (const s of saved) if (!(s.tensor instanceof tf.Variable)) s.tensor.dispose();
    expect(specs.map((s) => s.name)).toEqual(['iter', 'iwae-adam-cut/m', 'iwae-adam-cut/v']);
    first.dispose();
    const decoded = tf.io.decodeWeights(tf.io.CompositeArrayBuffer.join(data), specs);
    const second = new IwaeCodeAdam(LR, B1, B2, EPS);
    await restoreAdam(second, specs.map((s) => ({ name: s.name, tensor: decoded[s.name]! })), null);
    expect(second.iterations).toBe(5);
    await apply(second, cut, grads.slice(5));
    expect(Array.from(await cut.data())).toEqual(Array.from(await straight.data()));
    tf.dispose([straight, cut]);
    a.dispose();
    second.dispose();
  });

  it('leaves the tensor count flat from the second step on and releases every moment on dispose', async () => {
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.zeros([4, 3]), true, 'iwae-adam-memory'));
    const opt = new IwaeCodeAdam(LR, B1, B2, EPS);
    await apply(opt, w, gradients(1, 12, 1));
    const afterFirst = tf.memory().numTensors;
    expect(afterFirst).toBe(before + 3); // the weight and its two moments
    await apply(opt, w, gradients(5, 12, 2));
    expect(tf.memory().numTensors).toBe(afterFirst);
    opt.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
