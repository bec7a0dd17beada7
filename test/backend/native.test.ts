import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { loadAddon } from '../../src/backend/native/addon.js';
import { nativeInstalled, nativeThreads } from '../../src/backend/native/install.js';
import { BERNOULLI_NLL, hasKernel } from '../../src/backend/fused-kernels.js';
import { bernoulliNll } from '../../src/models/likelihood.js';
import { VaelabError } from '../../src/errors.js';

// CI installs oneDNN, so the addon builds and these tests run; VAELAB_SKIP_NATIVE=1 skips
// them on purpose where the libraries are absent (the fallback test below still runs).
const skip = process.env.VAELAB_SKIP_NATIVE === '1';

/** Runs `f` on the cpu backend and on native, returning both results as arrays. */
async function both<T extends tf.Tensor | tf.Tensor[]>(f: () => T): Promise<{ cpu: Float32Array[]; native: Float32Array[] }> {
  const run = async (backend: 'cpu' | 'native') => {
    await selectBackend(backend);
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(list);
    return values;
  };
  return { cpu: await run('cpu'), native: await run('native') };
}

function expectClose(a: Float32Array[], b: Float32Array[], tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(y.length).toBe(x.length);
    let worst = 0;
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j]! - y[j]!) / (1 + Math.abs(x[j]!)));
    expect(worst).toBeLessThan(tol);
  });
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe.skipIf(skip)('native kernels against the cpu backend', () => {
  beforeAll(() => {
    const addon = loadAddon();
    if (!addon.ok) throw new Error(`${addon.reason} (set VAELAB_SKIP_NATIVE=1 to skip these tests)`);
  });
  afterAll(async () => {
    await selectBackend('wasm');
    expect(nativeInstalled()).toBe(false); // choosing wasm puts its own kernels back
  });

  it('is chosen by name and by auto, and says which libraries on how many threads', async () => {
    const named = await selectBackend('native');
    expect(named.name).toBe('native');
    expect(named.attempts.at(-1)!.reason).toMatch(/oneDNN \d+\.\d+\.\d+ on \d+ threads/);
    expect(nativeInstalled()).toBe(true);
    const auto = await selectBackend('auto');
    expect(auto.name).toBe('native');
  });

  it('runs on VAELAB_THREADS threads when set (for users who share a machine), and reports the count it got', async () => {
    const before = process.env.VAELAB_THREADS;
    process.env.VAELAB_THREADS = '1';
    try {
      expect((await selectBackend('native')).attempts.at(-1)!.reason).toMatch(/ on 1 threads/);
    } finally {
      if (before === undefined) delete process.env.VAELAB_THREADS;
      else process.env.VAELAB_THREADS = before;
    }
    const again = await selectBackend('native');
    expect(again.attempts.at(-1)!.reason).toMatch(new RegExp(` on ${nativeThreads()} threads`));
  });

  it("keeps OMP_NUM_THREADS where VAELAB_THREADS is unset (a sweep's parallel points get one share of the cores each)", async () => {
    const before = { vaelab: process.env.VAELAB_THREADS, omp: process.env.OMP_NUM_THREADS };
    delete process.env.VAELAB_THREADS;
    process.env.OMP_NUM_THREADS = '1';
    try {
      expect((await selectBackend('native')).attempts.at(-1)!.reason).toMatch(/ on 1 threads/);
    } finally {
      for (const [name, value] of [['VAELAB_THREADS', before.vaelab], ['OMP_NUM_THREADS', before.omp]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    await selectBackend('native');
  });

  it('flushes denormals to zero while native is on (they made training 2.5x slower), and not after', async () => {
    const halve = (x: number) => x / (2 + Math.random() * 0); // a run-time division, not constant-folded
    await selectBackend('native');
    expect(halve(Number.parseFloat('4e-308'))).toBe(0);
    await selectBackend('wasm');
    expect(halve(Number.parseFloat('4e-308'))).toBeGreaterThan(0);
    await selectBackend('native');
  });

  it.each([
    [1, 1, 1, 1],
    [1, 7, 5, 3],
    [3, 2, 9, 4],
    [1, 128, 784, 256],
  ])('BatchMatMul batch %i, m %i, k %i, n %i, every transpose, with batch broadcast', async (batch, m, k, n) => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const { cpu, native } = await both(() => {
        const a = rand(ta ? [batch, k, m] : [batch, m, k], 1);
        const b = rand(tb ? [1, n, k] : [1, k, n], 2); // b broadcast over a's batch
        return tf.matMul(a, b, ta, tb);
      });
      expectClose(cpu, native, 1e-4);
    }
  });

  it('a dense layer (fused product, bias and relu) and its gradients through tf.grads', async () => {
    const { cpu, native } = await both(() => {
      const x = rand([5, 12], 3);
      const w = rand([12, 7], 4);
      const b = rand([7], 5);
      const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: 'relu' })));
      return [tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' }), ...tf.grads(f)([x, w, b])];
    });
    expectClose(cpu, native, 1e-4);
  });

  it.each([
    ['3x3 same, stride 1 (the conv model)', [2, 7, 6, 3], [3, 3, 3, 4], 1, 'same' as const, 1],
    ['batch 1, valid', [1, 5, 5, 1], [3, 3, 1, 2], 1, 'valid' as const, 1],
    ['stride 2, same', [2, 8, 8, 2], [3, 3, 2, 3], 2, 'same' as const, 1],
    ['dilation 2 (forward only: tfjs has no gradient for dilated convolutions)', [1, 9, 9, 2], [3, 3, 2, 2], 1, 'same' as const, 2],
    // one output channel runs as GEMMs with the taps (conv.cc), not on oneDNN
    ['one output channel, 3x3 same (the decoder logits)', [2, 7, 6, 5], [3, 3, 5, 1], 1, 'same' as const, 1],
    // at size the cpu backend's float32 running sums over 2,352 pixels differ by ~3e-4 (oneDNN's as much, at 2 channels)
    ['one output channel, the decoder logits at size', [3, 28, 28, 64], [3, 3, 64, 1], 1, 'same' as const, 1, 1e-3],
    ['one output channel, 2x3 valid, one input channel', [1, 6, 5, 1], [2, 3, 1, 1], 1, 'valid' as const, 1],
    ['one output channel, stride 2 (oneDNN)', [2, 8, 8, 2], [3, 3, 2, 1], 2, 'same' as const, 1],
    // 8+ channels both sides: oneDNN's own (blocked) layouts, reordered to and from NHWC
    ['16 -> 8 channels, 3x3 same (oneDNN blocked layouts)', [2, 9, 7, 16], [3, 3, 16, 8], 1, 'same' as const, 1],
    ['8 -> 12 channels, stride 2, valid (oneDNN blocked layouts)', [3, 9, 8, 8], [3, 3, 8, 12], 2, 'valid' as const, 1],
    // and one input channel (the encoder's first conv) as GEMMs with an im2col of the taps
    ['one input channel, 3x3 same (the encoder\'s first)', [3, 9, 7, 1], [3, 3, 1, 6], 1, 'same' as const, 1],
    ['one input channel, 2x3 valid', [2, 6, 5, 1], [2, 3, 1, 4], 1, 'valid' as const, 1],
  ])('Conv2D %s: forward and both gradients', async (_what, xShape, wShape, stride, pad, dilation, tol = 1e-4) => {
    const { cpu, native } = await both(() => {
      const x = rand(xShape, 6) as tf.Tensor4D;
      const w = rand(wShape, 7) as tf.Tensor4D;
      const f = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, pad, 'NHWC', dilation)));
      const y = tf.conv2d(x, w, stride, pad, 'NHWC', dilation);
      return dilation === 1 ? [y, ...tf.grads(f)([x, w])] : [y];
    });
    expectClose(cpu, native, tol);
  });

  it('a stride that skips the last rows (negative far padding) falls back to wasm and is still right', async () => {
    const { cpu, native } = await both(() => {
      const x = rand([1, 6, 6, 1], 8) as tf.Tensor4D;
      const w = rand([2, 2, 1, 2], 9) as tf.Tensor4D;
      const f = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 3, 'valid'));
      return [tf.conv2d(x, w, 3, 'valid'), ...tf.grads(f)([x, w])];
    });
    expectClose(cpu, native, 1e-4);
  });

  it.each([
    ['2x2 max-pooling, stride 2 (the conv model), with negative maxima', [2, 8, 8, 3], 2, 2, 'valid' as const],
    ['3x3 windows, stride 2, same padding', [1, 7, 7, 2], 3, 2, 'same' as const],
  ])('MaxPool %s: its gradient', async (_what, shape, size, stride, pad) => {
    const { cpu, native } = await both(() => {
      const x = tf.sub(rand(shape, 10), 2) as tf.Tensor4D; // mostly negative, where wasm's own was wrong
      return tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, size, stride, pad), rand([1], 11))))([x]);
    });
    expectClose(cpu, native, 1e-5);
  });

  it('MaxPool 2x2 after a ReLU (tied windows of zeros): each window passes its gradient to its first maximum, as cpu does', async () => {
    const { cpu, native } = await both(() => {
      const x = tf.relu(tf.sub(rand([2, 6, 8, 5], 14), 1)) as tf.Tensor4D; // most windows all 0
      const w = rand([2, 3, 4, 5], 15);
      return tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid'), w)))([x]);
    });
    expect(Array.from(native[0]!)).toEqual(Array.from(cpu[0]!));
  });

  it.each([
    ['x2 (the decoder)', [3, 5, 4, 2], [10, 8], false, false],
    ['to odd sizes, corners aligned', [2, 5, 4, 3], [7, 9], true, false],
    ['down, half-pixel centres', [1, 9, 7, 2], [4, 3], false, true],
  ] as const)('nearest-neighbour resizing %s, forward', async (_what, shape, size, alignCorners, halfPixelCenters) => {
    const { cpu, native } = await both(() => [tf.image.resizeNearestNeighbor(rand([...shape], 16) as tf.Tensor4D, [...size], alignCorners, halfPixelCenters)]);
    expect(Array.from(native[0]!)).toEqual(Array.from(cpu[0]!));
  });

  it('Add of a bias (either side, [C] or [1, 1, C]) in one pass; other broadcasts as before', async () => {
    const { cpu, native } = await both(() => {
      const x = rand([4, 3, 5], 17);
      const bias = rand([5], 18);
      return [tf.add(x, bias), tf.add(bias, x), tf.add(x, tf.reshape(bias, [1, 1, 5])), tf.add(x, rand([3, 1], 19)), tf.add(x, x), tf.add(rand([2, 1], 20), rand([1, 6], 21))];
    });
    native.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(cpu[i]!)));
  });

  it('nearest-neighbour upsampling x2 (the decoder): its gradient, batch > 1', async () => {
    // the cpu backend's own gradient is wrong for batch > 1 (our fix is installed there), so compare with it
    const { cpu, native } = await both(() => {
      const x = rand([3, 5, 4, 2], 12) as tf.Tensor4D;
      const w = rand([3, 10, 8, 2], 13);
      return tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(xx as tf.Tensor4D, [10, 8]), w)))([x]);
    });
    expectClose(cpu, native, 1e-5);
  });

  it('BatchNorm: its statistics (mean and sum over every axis but the last, with keepDims; other axes as before) and itself', async () => {
    const { cpu, native } = await both(() => {
      const x = rand([4, 6, 5, 3], 14);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const [offset, scale] = [rand([3], 15), rand([3], 16)];
      return [tf.mean(x, [0, 1, 2]), tf.sum(x, [0, 1, 2], true), tf.sum(x, [1, 2]), tf.mean(x, -1), variance,
        tf.batchNorm(x, mean, variance, offset, scale, 1e-3), tf.batchNorm(x, mean, variance, undefined, undefined, 1e-5),
        tf.batchNorm(x, tf.reshape(mean, [1, 1, 1, 3]), tf.reshape(variance, [1, 1, 1, 3]), tf.reshape(offset, [1, 1, 1, 3]), tf.reshape(scale, [1, 1, 1, 3]), 1e-3)];
    });
    expectClose(cpu, native, 1e-5);
  });

  it('Adam: the fused native update gives the bits of tfjs\'s own, step after step', async () => {
    const { createAdam } = await import('../../src/train/optimizer.js');
    const run = async (backend: 'wasm' | 'native') => {
      await selectBackend(backend);
      const w = tf.variable(rand([300, 7], 1), true, `adam-w-${backend}`);
      const b = tf.variable(rand([7], 2), true, `adam-b-${backend}`);
      const opt = createAdam(0.01);
      for (let i = 0; i < 20; i++) {
        const g = { [w.name]: rand([300, 7], 10 + i), [b.name]: rand([7], 50 + i) };
        opt.applyGradients(g as unknown as Parameters<typeof opt.applyGradients>[0]);
        tf.dispose(Object.values(g));
      }
      const out = [Array.from(await w.data()), Array.from(await b.data())];
      tf.dispose([w, b]);
      opt.dispose();
      return out;
    };
    expect(await run('native')).toEqual(await run('wasm'));
  });

  it.each([
    ['after a dense layer', [9, 5]],
    ['after a conv layer, with a channel constant over the batch', [4, 5, 6, 7]],
  ])('BatchNorm in training, fused (%s): its output, moving statistics and gradients for x, gamma and beta', async (_what, shape) => {
    const { BatchNorm } = await import('../../src/models/batch-norm.js');
    const { cpu, native } = await both(() => {
      const norm = new BatchNorm({ momentum: 0.9, epsilon: 1e-5, gammaInitializer: tf.initializers.randomNormal({ seed: 3 }), betaInitializer: tf.initializers.randomNormal({ seed: 4 }) });
      const x = tf.add(tf.mul(rand(shape, 30), 3), 1);
      const c = shape.at(-1)!;
      const xs = tf.mul(x, tf.concat([tf.zeros([1]), tf.ones([c - 1])])); // channel 0 is 0 everywhere: variance 0
      const w = rand(shape, 31);
      const apply = (input: tf.Tensor) => norm.apply(input, { training: true }) as tf.Tensor;
      apply(xs); // builds the weights
      const f = () => tf.sum(tf.mul(apply(xs), w)) as tf.Scalar;
      const { grads } = tf.variableGrads(f, norm.trainableWeights.map((v) => v.read() as tf.Variable));
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(apply(input), w)))(xs);
      const out = [apply(xs), dx, ...Object.values(grads), ...norm.getWeights().slice(2)];
      return out.map((t) => t.clone());
    });
    expectClose(cpu, native, 1e-4);
    await selectBackend('native');
    expect(hasKernel('VaelabBatchNormTrain')).toBe(true);
  });

  it('the ReLU gradient, fused: dy where x > 0, 0 at and below it', async () => {
    await selectBackend('native');
    expect(hasKernel('VaelabReluGrad')).toBe(true);
    const { cpu, native } = await both(() => {
      const x = tf.concat([tf.tensor1d([0, -0, -1, 1, 1e-30, -1e-30]), tf.reshape(rand([5, 7], 40), [35])]);
      return [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), rand([41], 41))))(x)];
    });
    expect(Array.from(native[0]!)).toEqual(Array.from(cpu[0]!));
  });

  it("the IWAE paper code's Adam: the fused native step gives the bits of its tfjs composite, and is what native runs", async () => {
    const { IwaeCodeAdam } = await import('../../src/train/iwae-code-adam.js');
    const { iwaeAdamInPlace } = await import('../../src/backend/native/adam.js');
    const run = async (backend: 'wasm' | 'native') => {
      await selectBackend(backend);
      // made in tidy, so the variables own their buffers (a variable shares its initial tensor's)
      const w = tf.tidy(() => tf.variable(rand([300, 7], 1), true, `iwae-adam-w-${backend}`));
      const b = tf.tidy(() => tf.variable(rand([7], 2), true, `iwae-adam-b-${backend}`));
      const opt = new IwaeCodeAdam(0.01, 0.99, 0.999, 1e-4);
      const tensors = tf.memory().numTensors;
      let kernels = 0; // run by the last step
      for (let i = 0; i < 20; i++) {
        if (i === 10) opt.learningRate = 0.003; // the schedule's next stage
        const g = { [w.name]: rand([300, 7], 10 + i), [b.name]: rand([7], 50 + i) };
        const profile = await tf.profile(() => opt.applyGradients(g as unknown as Parameters<typeof opt.applyGradients>[0]));
        kernels = profile.kernels.length;
        tf.dispose(Object.values(g));
      }
      const leaked = tf.memory().numTensors - tensors - 4; // less the two m and two v created at step 1
      const state = await Promise.all([w, b, ...(await opt.getWeights()).slice(1).map((n) => n.tensor)].map(async (t) => Array.from(await t.data())));
      // the kernel itself: on native it takes the step (and returns true), on wasm it declines
      const one = tf.tidy(() => ({ value: tf.variable(tf.zeros([3])), m: tf.variable(tf.ones([3])), v: tf.variable(tf.ones([3])), gradient: tf.keep(tf.ones([3])) }));
      const fused = iwaeAdamInPlace([one], { alpha: 0.5, beta1: 0.9, beta2: 0.99, epsilon: 0 });
      const moved = Array.from(await one.value.data());
      tf.dispose([w, b, one.value, one.m, one.v, one.gradient]);
      opt.dispose();
      return { state, leaked, fused, moved, kernels };
    };
    const wasm = await run('wasm');
    const native = await run('native');
    expect(native.state).toEqual(wasm.state); // weights and both moments, bit for bit
    expect([native.leaked, wasm.leaked]).toEqual([0, 0]);
    expect(wasm).toMatchObject({ fused: false, moved: [0, 0, 0] });
    expect(wasm.kernels).toBeGreaterThan(10); // the composite
    expect(native).toMatchObject({ fused: true, moved: [-0.5, -0.5, -0.5], kernels: 0 }); // 0 - (1 / (sqrt(1) + 0)) * 0.5; no tfjs kernel
  });

  it.each([
    ['one decoding per image (training), with logits far out and at 0', 1],
    ['three decodings per image (the IWAE estimate and objective)', 3],
  ])('the Bernoulli likelihood, fused: %s, and its gradient through tf.grads', async (_what, k) => {
    const { bernoulliNllSamples } = await import('../../src/models/likelihood.js');
    await selectBackend('native');
    expect(hasKernel(BERNOULLI_NLL)).toBe(true); // the fused kernel is what native computes
    const { cpu, native } = await both(() => {
      const extremes = tf.tensor2d([[-200, -90, -30, 0, 30, 90, 200]]);
      const l = tf.concat([tf.mul(rand([5 * k, 7], 20), 6), tf.tile(extremes, [k, 1])]) as tf.Tensor2D; // [6k, 7]
      const x = tf.cast(tf.greater(tf.randomUniform([6, 7], 0, 1, 'float32', 21), 0.5), 'float32') as tf.Tensor2D;
      const dy = rand([6 * k], 22);
      const nll = (ll: tf.Tensor) => (k === 1 ? bernoulliNll(ll as tf.Tensor2D, x) : bernoulliNllSamples(ll as tf.Tensor2D, x, k));
      return [nll(l), ...tf.grads((ll: tf.Tensor) => tf.sum(tf.mul(nll(ll), dy)))([l])];
    });
    await selectBackend('cpu');
    expect(hasKernel(BERNOULLI_NLL)).toBe(false); // so the cpu side was tfjs's own ops
    expectClose(cpu, native, 1e-5);
  });

  it('Tanh, forward and through tf.grads', async () => {
    const { cpu, native } = await both(() => {
      const x = tf.concat([tf.mul(rand([1000], 23), 3), tf.tensor1d([-50, -1e-6, 0, 1e-6, 50])]);
      return [tf.tanh(x), ...tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(tf.tanh(xx), rand([1005], 24))))([x])];
    });
    expectClose(cpu, native, 1e-6);
  });

  it('leaves no tensor behind', async () => {
    await selectBackend('native');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = rand([4, 28, 28, 1], 1) as tf.Tensor4D;
      const w = rand([3, 3, 1, 8], 2) as tf.Tensor4D;
      tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same')))([x, w]);
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)))([rand([3, 4], 3), rand([4, 5], 4)]);
      const data = tf.randomUniform([2, 6], 0, 1, 'float32', 5) as tf.Tensor2D;
      tf.grads((l: tf.Tensor) => tf.sum(bernoulliNll(tf.tanh(l) as tf.Tensor2D, data)))([rand([2, 6], 6)]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('with native switched off', () => {
  it('a run trains on wasm and says why native was not used', async () => {
    const { train } = await import('../../src/jobs/pipeline.js');
    const { readRunInfo } = await import('../../src/run/run-dir.js');
    const { tempDir, tinyConfig } = await import('../helpers/tiny.js');
    process.env.VAELAB_NATIVE = 'off';
    try {
      const { runDir, status } = await train(tinyConfig({ backend: 'auto', train: { epochs: 1 } }), { out: tempDir() });
      expect(status).toBe('completed');
      const backend = readRunInfo(runDir).backend!;
      expect(backend.name).toBe('wasm');
      expect(backend.attempts.find((a) => a.name === 'native')?.reason).toContain('VAELAB_NATIVE=off');
    } finally {
      delete process.env.VAELAB_NATIVE;
    }
  });
});

describe('VAELAB_THREADS out of range', () => {
  it('is a user error naming the variable, not a crash of OpenMP or a plain Error from the addon', () => {
    const before = process.env.VAELAB_THREADS;
    try {
      for (const bad of ['5000', 'abc', '0', '2.5']) {
        process.env.VAELAB_THREADS = bad;
        expect(() => nativeThreads()).toThrow(VaelabError);
        expect(() => nativeThreads()).toThrow(`VAELAB_THREADS=${JSON.stringify(bad)}: expected a whole number of threads from 1 to`);
      }
      process.env.VAELAB_THREADS = '3';
      expect(nativeThreads()).toBe(3);
    } finally {
      if (before === undefined) delete process.env.VAELAB_THREADS;
      else process.env.VAELAB_THREADS = before;
    }
  });
});
