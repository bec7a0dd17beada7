import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { ConfigSchema, type LossConfig } from '../../src/config/schema.js';
import { lossTerms } from '../../src/models/likelihood.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import type { VaeSpec } from '../../src/models/types.js';
import { decodeLogits, encode } from '../../src/models/vae.js';
import { sampledTerms } from '../../src/models/families/gaussian/objective.js';
import { logMeanExpRows } from '../../src/models/elbo-objective.js';
import { createAdam } from '../../src/train/optimizer.js';
import { trainableVariables, trainStep } from '../../src/train/step.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const spec: VaeSpec = { kind: 'vae', arch: 'mlp', hidden: [32, 32], latentDim: 5, init: 'glorot', activation: 'tanh', outputBias: 'zero', imageSize: 784, height: 28, width: 28, numClasses: 10 };
const loss = (over: Partial<LossConfig>): LossConfig => ConfigSchema.shape.loss.parse(over);
const batch = (n: number, seed: number) => tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([n, 784], 0, 1, 'float32', seed), 0.7), 'float32') as tf.Tensor2D);
const read = (t: { loss: tf.Scalar; recon: tf.Scalar; kl: tf.Scalar }) => {
  const out = { loss: t.loss.dataSync()[0]!, recon: t.recon.dataSync()[0]!, kl: t.kl.dataSync()[0]! };
  tf.dispose([t.loss, t.recon, t.kl]);
  return out;
};

describe('log-mean-exp over the k samples', () => {
  it('is exact for one sample and does not underflow where exp does', () => {
    const w = tf.tensor2d([[-1234.5678], [3.25]]);
    expect(Array.from(logMeanExpRows(w).dataSync())).toEqual(Array.from(w.dataSync()));
    const far = tf.tensor2d([[-1000, -1000, -1000 + Math.log(4)]]); // exp underflows to 0 in float32 and float64
    expect(logMeanExpRows(far).dataSync()[0]).toBeCloseTo(-1000 + Math.log(2), 3);
    tf.dispose([w, far]);
  });
});

describe('the k-sample objectives', () => {
  it('IWAE with k = 1 is the single-sample ELBO with the KL from the same sample, to the last digit', () => {
    const vae = buildVae(spec, 7);
    const x = batch(20, 1);
    const before = tf.memory().numTensors;
    const iwae = read(sampledTerms(vae, x, null, { loss: loss({ objective: 'iwae', samples: 1 }), epsSeed: 42, training: true }));
    // the same eps drawn by hand, recon by the training ELBO's own likelihood, log q - log p written out
    const elbo = tf.tidy(() => {
      const p = encode(vae, x, null, true);
      const eps = tf.randomNormal(p.mu.shape, 0, 1, 'float32', 42) as tf.Tensor2D;
      const sigma = tf.exp(tf.mul(p.logVar, 0.5));
      const z = tf.add(p.mu, tf.mul(sigma, eps)) as tf.Tensor2D;
      const terms = lossTerms(x, decodeLogits(vae, z, null, true), p.mu, p.logVar);
      const logQminusLogP = tf.mul(tf.sum(tf.sub(tf.sub(tf.square(z), tf.square(eps)), p.logVar), 1), 0.5);
      return { loss: tf.mean(tf.add(terms.recon, logQminusLogP)) as tf.Scalar, recon: tf.mean(terms.recon) as tf.Scalar, kl: tf.mean(logQminusLogP) as tf.Scalar };
    });
    expect(iwae).toEqual(read(elbo));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    disposeVae(vae);
  });

  it('the ELBO with k = 1 matches the standard training step, and its closed-form KL does not depend on k', () => {
    const vae = buildVae(spec, 7);
    const x = batch(20, 2);
    const one = read(sampledTerms(vae, x, null, { loss: loss({ samples: 1 }), epsSeed: 5, training: true }));
    const ref = tf.tidy(() => {
      const p = encode(vae, x, null, true);
      const eps = tf.randomNormal(p.mu.shape, 0, 1, 'float32', 5) as tf.Tensor2D;
      const z = tf.add(p.mu, tf.mul(tf.exp(tf.mul(p.logVar, 0.5)), eps)) as tf.Tensor2D;
      const t = lossTerms(x, decodeLogits(vae, z, null, true), p.mu, p.logVar);
      return [tf.mean(t.recon).dataSync()[0]!, tf.mean(t.kl).dataSync()[0]!];
    });
    expect([one.recon, one.kl]).toEqual(ref);
    const many = read(sampledTerms(vae, x, null, { loss: loss({ samples: 10 }), epsSeed: 5, training: true }));
    expect(many.kl).toBe(one.kl);
    expect(many.recon).not.toBe(one.recon);
    tf.dispose(x);
    disposeVae(vae);
  });

  it('IWAE with k = 50 on a batch of 20: tighter than the ELBO of its own samples, in bounded memory, every tensor released', async () => {
    const vae = buildVae(spec, 3);
    const x = batch(20, 3);
    const before = tf.memory().numTensors;
    const t = read(sampledTerms(vae, x, null, { loss: loss({ objective: 'iwae', samples: 50 }), epsSeed: 9, training: true }));
    // -L_50 = -logmeanexp(log w) <= -mean(log w) = recon + kl (Jensen), strictly unless all weights agree
    expect(t.loss).toBeLessThan(t.recon + t.kl);
    expect(t.recon + t.kl - t.loss).toBeGreaterThan(0.01);
    expect(tf.memory().numTensors).toBe(before);
    const optimizer = createAdam(1e-3, { beta1: 0.99, beta2: 0.999, epsilon: 1e-4 });
    const learner = { vae, optimizer, variables: trainableVariables(vae) };
    const weights = loss({ objective: 'iwae', samples: 50 });
    await trainStep(learner, { x, y: null, size: 20 }, { weights, epsSeed: 1 }); // creates Adam's moments
    const afterFirst = tf.memory().numTensors;
    const step = await trainStep(learner, { x, y: null, size: 20 }, { weights, epsSeed: 2 });
    expect(step.applied).toBe(true);
    expect(tf.memory().numTensors).toBe(afterFirst);
    const peak = tf.memory().numBytes;
    expect(peak).toBeLessThan(64 * 2 ** 20); // 20 x 50 rows of 784 logits are 3 MB: nothing k-times the batch is kept
    optimizer.dispose();
    tf.dispose(x);
    disposeVae(vae);
  });

  it('a cvae repeats each label with its k samples', () => {
    const vae = buildVae({ ...spec, kind: 'cvae' }, 4);
    const x = batch(6, 4);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 10).toFloat() as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const three = read(sampledTerms(vae, x, y, { loss: loss({ objective: 'iwae', samples: 3 }), epsSeed: 2, training: false }));
    expect(Number.isFinite(three.loss)).toBe(true);
    expect(() => sampledTerms(vae, x, null, { loss: loss({ samples: 3 }), epsSeed: 2, training: false })).toThrow(/one-hot label/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    disposeVae(vae);
  });
});
