import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { loadVae } from '../../src/run/checkpoint.js';
import { readMetrics, readRunInfo, type EpochMetrics } from '../../src/run/run-dir.js';
import { disposeVae } from '../../src/models/registry.js';
import type { Progress } from '../../src/train/trainer.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { webgpuAdapter } from './webgpu-adapter.js';

const adapter = await webgpuAdapter();
const comparable = (m: EpochMetrics[]) => m.map(({ epoch, steps, train, test }) => ({ epoch, steps, train, test }));

async function weightsOf(runDir: string): Promise<Float32Array[]> {
  const vae = await loadVae(join(runDir, 'checkpoint'));
  const w = await Promise.all([...vae.encoder.getWeights(), ...vae.decoder.getWeights()].map(async (t) => (await t.data()) as Float32Array));
  disposeVae(vae);
  return w;
}

// lavapipe on a loaded 2-core CI machine is slow, and a test that times out keeps running under the next one:
// the timeouts are generous
describe.skipIf(adapter.skip)(`webgpu runs${adapter.skip ? ` (skipped: ${adapter.why})` : ''}`, () => {
  afterAll(async () => selectBackend('cpu'));

  it("'auto' passes on a software adapter, saying so; asked for by name it takes it and records it", async () => {
    const auto = await selectBackend('auto');
    expect(auto.name).not.toBe('webgpu');
    expect(auto.attempts.find((a) => a.name === 'webgpu')).toEqual({
      name: 'webgpu',
      ok: false,
      reason: expect.stringMatching(/^the only adapter is .*\(software adapter\), slower than the CPU backends; ask for backend: webgpu by name/),
    });
    const named = await selectBackend('webgpu');
    expect(named).toEqual({
      name: 'webgpu',
      attempts: [{ name: 'webgpu', ok: true, reason: expect.stringContaining('software adapter') }],
      adapter: expect.objectContaining({ software: true, description: adapter.skip ? '' : adapter.description }),
    });
    expect(tf.getBackend()).toBe('webgpu');
  }, 300_000);

  it('trains a tiny MLP CVAE end to end with its whole report, holding the tensor count flat from epoch to epoch', async () => {
    const out = tempDir();
    const reports = tempDir();
    const config = tinyConfig({ name: 'webgpu-e2e', backend: 'webgpu', model: { kind: 'cvae' }, train: { epochs: 3 }, report: { stages: 'default' } });
    const tensorsAtEpoch: number[] = [];
    const result = await train(config, { out, reports, onProgress: (p: Progress) => p.type === 'epoch' && tensorsAtEpoch.push(tf.memory().numTensors) });
    expect(result.status).toBe('completed');
    expect(tensorsAtEpoch).toHaveLength(3);
    expect(new Set(tensorsAtEpoch).size, `tensors at each epoch's end: ${tensorsAtEpoch.join(', ')}`).toBe(1);
    const info = readRunInfo(result.runDir);
    expect(info.backend).toMatchObject({ name: 'webgpu', adapter: { software: true } });
    expect(readMetrics(result.runDir).map((m) => m.epoch)).toEqual([1, 2, 3]);
    // every default stage ran on webgpu: its figures are on disk and the page names them
    const page = readFileSync(result.reportPath!, 'utf8');
    const dir = join(result.reportPath!, '..');
    for (const file of ['prior-samples.png', 'tsne.csv', 'class-manifold-0.png']) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.gif')).length).toBeGreaterThan(0);
    expect(page).toMatch(/<th scope="row">backend<\/th><td>webgpu on [^<]+\(software adapter\)<\/td>/);
    const stages = (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { stages: { type: string; ok: boolean }[] }).stages;
    expect(stages.filter((s) => !s.ok)).toEqual([]);
    expect(stages.length).toBeGreaterThan(10);
  }, 1_200_000);

  it('resumes an interrupted conv run to the bits of an uninterrupted one', async () => {
    const out = tempDir();
    const config = tinyConfig({ name: 'webgpu-resume', backend: 'webgpu', model: { arch: 'conv' }, data: { trainLimit: 96, testLimit: 32 }, train: { epochs: 2, batchSize: 32 } });
    const full = await train(config, { out });
    const controller = new AbortController();
    const cut = await train(config, { out, signal: controller.signal, onProgress: (p) => p.type === 'step' && p.epoch === 2 && p.step === 1 && controller.abort() });
    expect(cut.status).toBe('interrupted');
    expect((await resume(cut.runDir)).status).toBe('completed');
    expect(comparable(readMetrics(cut.runDir))).toEqual(comparable(readMetrics(full.runDir)));
    expect(await weightsOf(cut.runDir)).toEqual(await weightsOf(full.runDir));
  }, 1_200_000);
});
