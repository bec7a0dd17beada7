import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { ConfigSchema, type LossConfig } from '../../src/config/schema.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import { familyOf } from '../../src/models/families/index.js';
import { twoLayerTerms } from '../../src/models/families/two-layer/terms.js';
import { conditionalsOf } from '../../src/models/families/two-layer/spec.js';
import type { VaeSpec } from '../../src/models/types.js';
import { decodeLogits, encode, reconstruct } from '../../src/models/vae.js';
import { CHECKPOINT_FORMAT, loadVae, saveCheckpoint } from '../../src/run/checkpoint.js';
import { createAdam } from '../../src/train/optimizer.js';
import { trainableVariables, trainStep } from '../../src/train/step.js';
import { tempDir } from '../helpers/tiny.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const D1 = 6;
const D2 = 3;
const spec = (over: Partial<VaeSpec> = {}): VaeSpec =>
  ({ family: 'two-layer', kind: 'vae', arch: 'mlp', hidden: [12, 10], latentDim: D2, intermediate: { latentDim: D1, hidden: [8, 7] }, init: 'glorot', activation: 'tanh', outputBias: 'zero', imageSize: 784, height: 28, width: 28, numClasses: 10, ...over }) as unknown as VaeSpec;
const loss = (over: Partial<LossConfig>): LossConfig => ConfigSchema.shape.loss.parse(over);
const images = (n: number, seed: number) => tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([n, 784], 0, 1, 'float32', seed), 0.7), 'float32') as tf.Tensor2D);
const labels = (n: number) => tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10).toFloat() as tf.Tensor2D);
const arr = (t: tf.Tensor) => Array.from(t.dataSync());
const conditionals = conditionalsOf;
const apply = (m: tf.LayersModel, x: tf.Tensor2D, y: tf.Tensor2D | null) => m.apply(y === null ? x : [x, y]) as tf.Tensor2D | tf.Tensor2D[];

describe.each([['vae'], ['cvae']] as const)('two stochastic layers, %s', (kind) => {
  it('builds the four conditionals with the paper’s shapes, and the figures’ paths run through h1’s means on the same weights', () => {
    const before = tf.memory().numTensors;
    const vae = buildVae(spec({ kind }), 3);
    const c = conditionals(vae);
    const x = images(4, 1);
    const y = kind === 'cvae' ? labels(4) : null;
    tf.tidy(() => {
      const [mu1, logVar1] = apply(c.qH1, x, y) as tf.Tensor2D[];
      expect([mu1!.shape, logVar1!.shape]).toEqual([[4, D1], [4, D1]]);
      const [muZ, logVarZ] = apply(c.qZ, mu1!, y) as tf.Tensor2D[];
      const path = encode(vae, x, y);
      expect(path.mu.shape).toEqual([4, D2]);
      expect(arr(path.mu)).toEqual(arr(muZ!));
      expect(arr(path.logVar)).toEqual(arr(logVarZ!));
      const z = tf.randomNormal([4, D2], 0, 1, 'float32', 2) as tf.Tensor2D;
      const [muP] = apply(c.pH1, z, y) as tf.Tensor2D[];
      expect(arr(decodeLogits(vae, z, y))).toEqual(arr(apply(c.pX, muP!, y) as tf.Tensor2D));
      // a reconstruction decodes h1's posterior mean: the ELBO's reconstruction term
      expect(arr(reconstruct(vae, x, y))).toEqual(arr(tf.sigmoid(apply(c.pX, mu1!, y) as tf.Tensor2D)));
    });
    // the paper's layer sizes: 784-12-10-(6, 6), 6-8-7-(3, 3); 3-7-8-(6, 6), 6-10-12-784
    const units = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.getConfig() as { units: number }).units);
    expect([units(c.qH1), units(c.qZ), units(c.pH1), units(c.pX)]).toEqual([[12, 10, D1, D1], [8, 7, D2, D2], [7, 8, D1, D1], [10, 12, 784]]);
    tf.dispose([x, y ?? []].flat());
    disposeVae(vae);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('log w against the densities written out in float64 from the same noise', () => {
    const vae = buildVae(spec({ kind }), 4);
    const c = conditionals(vae);
    const x = images(2, 3);
    const y = kind === 'cvae' ? labels(2) : null;
    const eps = tf.randomNormal([2, 1, D1 + D2], 0, 1, 'float32', 5) as tf.Tensor3D;
    const got = tf.tidy(() => {
      const t = twoLayerTerms(c, x, y, eps, false);
      return { recon: arr(t.recon), kl: arr(t.kl) };
    });
    const e = arr(eps);
    const normal = (v: number, mu: number, logVar: number) => -0.5 * (Math.log(2 * Math.PI) + logVar + (v - mu) ** 2 / Math.exp(logVar));
    for (let i = 0; i < 2; i++) {
      const row = (t: tf.Tensor2D) => tf.tidy(() => tf.slice(t, [i, 0], [1, -1]));
      const xi = row(x);
      const yi = y === null ? null : row(y);
      const [mu1, lv1] = (apply(c.qH1, xi, yi) as tf.Tensor2D[]).map(arr);
      const h1 = mu1!.map((m, d) => m + Math.exp(lv1![d]! / 2) * e[i * (D1 + D2) + d]!);
      const h1t = tf.tensor2d([h1]);
      const [mu2, lv2] = (apply(c.qZ, h1t, yi) as tf.Tensor2D[]).map(arr);
      const z = mu2!.map((m, d) => m + Math.exp(lv2![d]! / 2) * e[i * (D1 + D2) + D1 + d]!);
      const zt = tf.tensor2d([z]);
      const [muP, lvP] = (apply(c.pH1, zt, yi) as tf.Tensor2D[]).map(arr);
      const logits = arr(apply(c.pX, h1t, yi) as tf.Tensor2D);
      const xs = arr(xi);
      const logPx = logits.reduce((s, l, p) => s + xs[p]! * l - Math.log1p(Math.exp(l)), 0);
      let logQ = 0;
      let logP = 0;
      h1.forEach((v, d) => ((logQ += normal(v, mu1![d]!, lv1![d]!)), (logP += normal(v, muP![d]!, lvP![d]!))));
      z.forEach((v, d) => ((logQ += normal(v, mu2![d]!, lv2![d]!)), (logP += normal(v, 0, 0))));
      expect(got.recon[i]).toBeCloseTo(-logPx, 2);
      expect(got.kl[i]).toBeCloseTo(logQ - logP, 3);
      tf.dispose([xi, h1t, zt, yi ?? []].flat());
    }
    tf.dispose([x, eps, y ?? []].flat());
    disposeVae(vae);
  });
});

describe('the two-layer objectives', () => {
  it('IWAE with k = 1 equals the ELBO of the same samples to the last bit; k = 5 is tighter', () => {
    const vae = buildVae(spec(), 7);
    const x = images(20, 1);
    const before = tf.memory().numTensors;
    const read = (o: { loss: tf.Scalar; recon: tf.Scalar; kl: tf.Scalar }) => {
      const out = { loss: o.loss.dataSync()[0]!, recon: o.recon.dataSync()[0]!, kl: o.kl.dataSync()[0]! };
      tf.dispose([o.loss, o.recon, o.kl]);
      return out;
    };
    const at = (objective: 'elbo' | 'iwae', samples: number) => read(vae.family.objective(vae, x, null, { loss: loss({ objective, samples }), epsSeed: 42, training: true }));
    const [iwae1, elbo1] = [at('iwae', 1), at('elbo', 1)];
    expect(iwae1).toEqual(elbo1);
    expect(elbo1.kl).not.toBe(0);
    const iwae5 = at('iwae', 5);
    expect(iwae5.loss).toBeLessThan(iwae5.recon + iwae5.kl); // -L_5 below the ELBO of its own samples
    expect(tf.memory().numTensors).toBe(before);
    expect(() => vae.family.objective(vae, x, null, { loss: loss({ freeBits: 0.5 }), epsSeed: 1, training: true })).toThrow(/closed-form KL/);
    x.dispose();
    disposeVae(vae);
  });

  it('a step trains all four conditionals and the paths see it; the tensor count stays flat from the second step', async () => {
    const vae = buildVae(spec({ kind: 'cvae' }), 8);
    const optimizer = createAdam(0.01);
    const variables = trainableVariables(vae);
    const c = conditionals(vae);
    const counted = [c.qH1, c.qZ, c.pH1, c.pX].reduce((n, m) => n + m.trainableWeights.length, 0);
    expect(variables).toHaveLength(counted);
    expect(new Set(variables.map((v) => v.name)).size).toBe(counted);
    const batch = { x: images(16, 2), y: labels(16), size: 16 };
    const snapshot = () => [c.qH1, c.qZ, c.pH1, c.pX].map((m) => m.getWeights().map(arr));
    const start = snapshot();
    const pathBefore = tf.tidy(() => arr(encode(vae, batch.x, batch.y).mu));
    const weights = { ...loss({ objective: 'iwae', samples: 3 }) };
    await trainStep({ vae, optimizer, variables }, batch, { weights, epsSeed: 1 });
    const after = tf.memory().numTensors;
    await trainStep({ vae, optimizer, variables }, batch, { weights, epsSeed: 2 });
    expect(tf.memory().numTensors).toBe(after);
    snapshot().forEach((model, i) => expect(model).not.toEqual(start[i]));
    expect(tf.tidy(() => arr(encode(vae, batch.x, batch.y).mu))).not.toEqual(pathBefore);
    tf.dispose([batch.x, batch.y]);
    optimizer.dispose();
    disposeVae(vae);
  });

  it('a checkpoint saves the conditionals and loads them back wired into the same paths', async () => {
    const vae = buildVae(spec({ kind: 'cvae' }), 9);
    const dir = join(tempDir(), 'checkpoint');
    const optimizer = createAdam(0.01);
    await saveCheckpoint(dir, vae, optimizer, { formatVersion: CHECKPOINT_FORMAT, spec: vae.spec, epoch: 0, step: 0, sums: { recon: 0, kl: 0, count: 0, seconds: 0 }, trainSeconds: 0, adam: null, savedAt: '' });
    const before = tf.memory().numTensors;
    const loaded = await loadVae(dir);
    const x = images(3, 4);
    const y = labels(3);
    const eps = tf.randomNormal([3, 2, D1 + D2], 0, 1, 'float32', 6) as tf.Tensor3D;
    const outputs = (v: typeof vae) => tf.tidy(() => {
      const t = twoLayerTerms(conditionals(v), x, y, eps, false);
      return [arr(encode(v, x, y).mu), arr(decodeLogits(v, encode(v, x, y).mu, y)), arr(t.recon), arr(t.kl)];
    });
    expect(outputs(loaded)).toEqual(outputs(vae));
    tf.dispose([x, y, eps]);
    disposeVae(loaded);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    disposeVae(vae);
  });
});

describe('a spec that names no family', () => {
  it('is read by config/upgrade\'s rule: a second layer makes it two-layer, none the Gaussian VAE', () => {
    const { family: _, ...legacy } = spec() as VaeSpec & { family?: string };
    expect(familyOf(legacy as VaeSpec).name).toBe('two-layer');
    const { intermediate: __, ...one } = legacy as Record<string, unknown>;
    expect(familyOf(one as unknown as VaeSpec).name).toBe('gaussian');
    expect(familyOf({ ...one, intermediate: null } as unknown as VaeSpec).name).toBe('gaussian');
  });
});
