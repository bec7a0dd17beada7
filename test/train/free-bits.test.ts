import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { withBeta } from '../../src/config/kl-schedule.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { gaussianKl } from '../../src/models/likelihood.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import type { VaeSpec } from '../../src/models/types.js';
import { elboObjective, flooredKl, objective } from '../../src/models/elbo-objective.js';
import { flooredKlValue } from '../../src/train/loss.js';
import { createAdam } from '../../src/train/optimizer.js';
import { sampledTerms } from '../../src/models/families/gaussian/objective.js';
import { trainableVariables, trainStep } from '../../src/train/step.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function stepLossOf(over: Record<string, unknown>) {
  const loss = ConfigSchema.parse({ loss: over }).loss;
  return withBeta(loss, loss.beta);
}

// Two images, three dimensions, a floor of 0.5 nats. Dimension 0: KL 0.5 mu^2 = 0.005 for both, under the
// floor. Dimension 1: mu 2 and 1 with logVar 0.5, both well above. Dimension 2: KL 0.005 and 1.125, one image
// under the floor and one above, their mean 0.565 above it: the batch mean decides, not each image.
const MU = [[0.1, 2, 0.1], [0.1, 1, 1.5]];
const LOGVAR = [[0, 0.5, 0], [0, 0.5, 0]];
const klOf = (m: number, lv: number) => 0.5 * (m * m + Math.exp(lv) - lv - 1);
const KL1 = (klOf(2, 0.5) + klOf(1, 0.5)) / 2;
const KL2 = (klOf(0.1, 0) + klOf(1.5, 0)) / 2;

describe('free bits: sum_d max(KL_d, floor), KL_d averaged over the minibatch', () => {
  it('floors the batch-mean KL of each dimension and counts the dimensions under the floor', () => {
    const before = tf.memory().numTensors;
    const [kl, atFloor] = tf.tidy(() => {
      const f = flooredKl({ mu: tf.tensor2d(MU), logVar: tf.tensor2d(LOGVAR) }, 0.5);
      return [f.kl.dataSync()[0]!, f.atFloor.dataSync()[0]!];
    });
    expect(KL2).toBeGreaterThan(0.5);
    expect(kl).toBeCloseTo(0.5 + KL1 + KL2, 5);
    expect(atFloor).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    // the host form, for a whole split's KL per dimension
    expect(flooredKlValue([0.005, KL1, KL2], 0.5)).toEqual({ kl: 0.5 + KL1 + KL2, atFloor: 1 });
  });

  it('passes no gradient to a dimension under the floor, and the plain gradient to one above (tf.grads)', () => {
    const grads = (floor: number | null) =>
      tf.tidy(() => {
        const f = (mu: tf.Tensor, logVar: tf.Tensor) => {
          const p = { mu: mu as tf.Tensor2D, logVar: logVar as tf.Tensor2D };
          return floor === null ? tf.mean(gaussianKl(p.mu, p.logVar)) : flooredKl(p, floor).kl;
        };
        return tf.grads(f)([tf.tensor2d(MU), tf.tensor2d(LOGVAR)]).map((g) => g.arraySync() as number[][]);
      });
    const [dMu, dLogVar] = grads(0.5);
    // d/dmu of mean_b 0.5 mu^2 = mu / B; d/dlogVar = 0.5 (e^lv - 1) / B
    expect(dMu!.map((r) => r[0])).toEqual([0, 0]);
    expect(dLogVar!.map((r) => r[0])).toEqual([0, 0]);
    expect(dMu![0]![1]).toBeCloseTo(2 / 2, 5);
    expect(dMu![1]![1]).toBeCloseTo(1 / 2, 5);
    expect(dLogVar![0]![1]).toBeCloseTo((0.5 * (Math.exp(0.5) - 1)) / 2, 5);
    // dimension 2: image 0 alone is under the floor, but the batch mean is not, so image 0 still feels the pull
    expect(dMu![0]![2]).toBeCloseTo(0.1 / 2, 5);
    expect(dMu![1]![2]).toBeCloseTo(1.5 / 2, 5);
    // without the floor the same dimension does get its gradient: the floor is what zeroes it
    const [plainMu] = grads(null);
    expect(plainMu![0]![0]).toBeCloseTo(0.1 / 2, 5);
  });

  it('the objective: the plain one bit for bit without a floor, reconstructionWeight * recon + beta * floored KL with one', () => {
    const before = tf.memory().numTensors;
    const values = tf.tidy(() => {
      const recon = tf.tensor1d([100, 120]);
      const p = { mu: tf.tensor2d(MU), logVar: tf.tensor2d(LOGVAR) };
      const plain = elboObjective(recon, p, stepLossOf({ beta: 3 }));
      const reference = objective({ recon, kl: gaussianKl(p.mu, p.logVar) }, { beta: 3, reconstructionWeight: 1 });
      const floored = elboObjective(recon, p, stepLossOf({ beta: 3, reconstructionWeight: 0.5, freeBits: 0.5 }));
      return {
        plain: plain.loss.dataSync()[0]!,
        reference: reference.dataSync()[0]!,
        plainHasNoFloor: plain.klFloored === undefined,
        floored: floored.loss.dataSync()[0]!,
        klFloored: floored.klFloored!.dataSync()[0]!,
        kl: floored.kl.dataSync()[0]!,
      };
    });
    expect(values.plain).toBe(values.reference);
    expect(values.plainHasNoFloor).toBe(true);
    expect(values.klFloored).toBeCloseTo(0.5 + KL1 + KL2, 5);
    expect(values.kl).toBeCloseTo(0.005 + KL1 + KL2, 5); // the logged KL stays the plain one
    expect(values.floored).toBeCloseTo(0.5 * 110 + 3 * (0.5 + KL1 + KL2), 3);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('free bits in a training step', () => {
  const spec: VaeSpec = { kind: 'vae', arch: 'mlp', hidden: [16], latentDim: 3, init: 'pytorch', activation: 'relu', outputBias: 'zero', imageSize: 784, height: 28, width: 28, numClasses: 10 };
  const snapshot = (vae: ReturnType<typeof buildVae>) => [...vae.encoder.getWeights(), ...vae.decoder.getWeights()].flatMap((w) => Array.from(w.dataSync()));

  async function afterOneStep(over: Record<string, unknown>) {
    const vae = buildVae(spec, 5);
    const adam = createAdam(0.01);
    const x = tf.randomUniform([16, 784], 0, 1, 'float32', 8) as tf.Tensor2D;
    const { terms, applied } = await trainStep({ vae, optimizer: adam, variables: trainableVariables(vae) }, { x, y: null, size: 16 }, { weights: stepLossOf(over), epsSeed: 3 });
    const weights = snapshot(vae);
    x.dispose();
    adam.dispose();
    disposeVae(vae);
    return { terms, applied, weights };
  }
  const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

  it('a floor above every dimension leaves only the reconstruction gradient; one below every dimension changes nothing', async () => {
    const before = tf.memory().numTensors;
    const high = await afterOneStep({ freeBits: 1000 });
    const reconOnly = await afterOneStep({ beta: 0 });
    const low = await afterOneStep({ freeBits: 1e-9 });
    const plain = await afterOneStep({});
    expect(high.applied).toBe(true);
    expect(high.terms.atFloor).toBe(3);
    expect(high.terms.klFloored).toBeCloseTo(3000, 2);
    expect(low.terms.atFloor).toBe(0);
    expect(plain.terms.klFloored).toBeUndefined();
    expect(maxDiff(high.weights, reconOnly.weights)).toBeLessThan(1e-6);
    expect(maxDiff(low.weights, plain.weights)).toBeLessThan(1e-6);
    expect(maxDiff(high.weights, plain.weights)).toBeGreaterThan(1e-4); // the KL gradient is what the floor removed
    expect(tf.memory().numTensors).toBe(before);
  });

  it('floors the closed-form KL of a k-sample ELBO the same way', () => {
    const vae = buildVae(spec, 6);
    const x = tf.randomUniform([8, 784], 0, 1, 'float32', 2) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const [klFloored, atFloor] = tf.tidy(() => {
      const t = sampledTerms(vae, x, null, { loss: stepLossOf({ samples: 4, freeBits: 1000 }), epsSeed: 1, training: false });
      return [t.klFloored!.dataSync()[0]!, t.atFloor!.dataSync()[0]!];
    });
    expect(klFloored).toBeCloseTo(3000, 2);
    expect(atFloor).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeVae(vae);
  });
});
