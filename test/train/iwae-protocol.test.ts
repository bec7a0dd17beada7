import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resume, train } from '../../src/jobs/pipeline.js';
import { meanLogits } from '../../src/data/binarize.js';
import { loadVae, readState } from '../../src/run/checkpoint.js';
import { buildVae, disposeVae } from '../../src/models/registry.js';
import { readMetrics, readRunInfo } from '../../src/run/run-dir.js';
import type { Progress } from '../../src/train/trainer.js';
import { syntheticDataset, tempDir, tinyConfig } from '../helpers/tiny.js';

const PAPER_ADAM = { variant: 'iwae-code', beta1: 0.99, epsilon: 1e-4 } as const;

/** The IWAE paper's protocol (configs/iwae-paper/protocol.yaml) at a tiny scale: 2 stages, 4 epochs. */
const protocol = (over: Record<string, unknown> = {}) =>
  tinyConfig({
    name: 'iwae-protocol',
    data: { trainLimit: 256, testLimit: 64, heldOut: 16, shuffle: false, binarize: 'dynamic' },
    model: { hidden: [16, 16], latentDim: 4, activation: 'tanh', init: 'glorot', outputBias: 'data-mean' },
    loss: { objective: 'iwae', samples: 5 },
    train: { epochs: null, batchSize: 40, schedule: { type: 'iwae-paper', stages: 2 }, adam: PAPER_ADAM, reduction: 'sum' },
    ...over,
  });

async function weightsOf(runDir: string): Promise<number[][]> {
  const vae = await loadVae(join(runDir, 'checkpoint'));
  const w = [...vae.encoder.getWeights(), ...vae.decoder.getWeights()].map((t) => Array.from(t.dataSync()));
  disposeVae(vae);
  return w;
}

const comparable = (runDir: string) => readMetrics(runDir).map(({ epoch, steps, train: t, test }) => ({ epoch, steps, train: t, test }));

describe('the IWAE paper protocol, tiny', () => {
  it('trains the schedule’s 4 epochs, keeps a checkpoint per stage, and resumes mid-stage to the same bits', async () => {
    const out = tempDir();
    const config = protocol();
    const full = await train(config, { out });
    expect(full.status).toBe('completed');
    expect(readRunInfo(full.runDir)).toMatchObject({ epochs: 4, epochsCompleted: 4 });
    expect(readMetrics(full.runDir).map((m) => m.steps)).toEqual([6, 12, 18, 24]); // 240 images in batches of 40
    expect(readState(join(full.runDir, 'checkpoint-stage-1'))).toMatchObject({ epoch: 1, step: 0 });
    expect(readState(join(full.runDir, 'checkpoint-stage-2'))).toMatchObject({ epoch: 4, step: 0 });
    expect(existsSync(join(full.runDir, 'checkpoint-stage-3'))).toBe(false);
    const m = readMetrics(full.runDir);
    expect(m.every((e) => e.train.loss < e.train.negElbo)).toBe(true); // -L_5 below the ELBO of the same samples

    const controller = new AbortController();
    const mid = (p: Progress) => p.type === 'step' && p.epoch === 3 && p.step === 2; // inside stage 2
    const cut = await train(config, { out, signal: controller.signal, onProgress: (p) => mid(p) && controller.abort() });
    expect(cut.status).toBe('interrupted');
    expect(readState(join(cut.runDir, 'checkpoint'))).toMatchObject({ epoch: 2, step: 2 });
    expect((await resume(cut.runDir)).status).toBe('completed');
    expect(comparable(cut.runDir)).toEqual(comparable(full.runDir));
    expect(await weightsOf(cut.runDir)).toEqual(await weightsOf(full.runDir));
  });

  it('the schedule changes the steps: the same run at a constant rate ends elsewhere', async () => {
    const out = tempDir();
    const staged = await train(protocol({ name: 'staged' }), { out });
    const constant = await train(protocol({ name: 'constant', train: { epochs: 4, batchSize: 40, adam: PAPER_ADAM, reduction: 'sum' } }), { out });
    expect(comparable(staged.runDir)[0]).toEqual(comparable(constant.runDir)[0]); // stage 1 is the constant rate
    expect(comparable(staged.runDir)[3]).not.toEqual(comparable(constant.runDir)[3]);
  });

  it('starts the decoder at the logits of the training mean (model.outputBias data-mean)', () => {
    const config = protocol();
    const d = syntheticDataset(30, 10);
    const spec = { ...config.model, imageSize: 784, height: 28, width: 28, numClasses: 10 };
    const vae = buildVae(spec, 1, meanLogits(d.train));
    const bias = vae.decoder.getLayer('dec_logits').getWeights()[1]!.dataSync();
    expect(Array.from(bias)).toEqual(Array.from(meanLogits(d.train)));
    expect(() => buildVae(spec, 1)).toThrow(/needs the bias/);
    disposeVae(vae);
  });
});
