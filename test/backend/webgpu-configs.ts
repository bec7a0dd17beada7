import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { planSweep } from '../../src/config/sweep.js';
import { train } from '../../src/jobs/pipeline.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readRunInfo } from '../../src/run/run-dir.js';
import { tempDir } from '../helpers/tiny.js';
import { webgpuAdapter } from './webgpu-adapter.js';

// Every shipped config (a sweep by its first point), as the issue's acceptance asks: 2 epochs on a training
// slice, the same seed, test -ELBO on the first 500 test images; no IWAE estimate, no report (the other
// webgpu tests run those). Two test files split the configs by architecture, so CI runs them side by side.
// The slice is 2,000 images or 16 minibatches, whichever is fewer: at the iwae-paper presets' batch of 20,
// 2,000 images are 100 Adam steps an epoch, and with k = 50 samples the 14 presets alone ran this file past
// CI's 90 minutes (vae-k50-2layer 837 s). 16 steps an epoch exercise every kernel a config uses as well.
const MAX_STEPS_PER_EPOCH = 16;
export const FILES = (readdirSync('configs', { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => join('configs', f)).sort();

function sliced(file: string, backend: Config['backend']): Config {
  const { config } = loadConfig(file);
  const first = config.sweep === null ? config : planSweep(config).points[0]!.config;
  return parseConfig({
    ...first,
    backend,
    sweep: null,
    // images held out (the iwae-paper presets' last 400) come off the slice: the steps stay 16
    data: { ...first.data, trainLimit: Math.min(2000, MAX_STEPS_PER_EPOCH * first.train.batchSize) + first.data.heldOut, testLimit: 500 },
    // the iwae-paper schedule counts its own epochs (3^(i-1) per stage): 2 epochs at its first rate
    train: { ...first.train, epochs: 2, schedule: { type: 'constant', stages: null } },
    // the backends are compared on the trained model's test -ELBO: the end-of-run extras would only add time
    eval: { ...first.eval, iwaeImages: 0, qualitySamples: 0, latentProbes: false },
    report: { ...first.report, stages: [] },
  });
}

async function testNegElbo(file: string, backend: Config['backend']): Promise<number> {
  const result = await train(sliced(file, backend), { out: tempDir(), baseDir: dirname(file) });
  expect(result.status).toBe('completed');
  expect(readRunInfo(result.runDir).backend?.name).toBe(backend);
  return readEvalMetrics(result.runDir)!.test.negElbo;
}

/*
 * Most configs train to the same test -ELBO on wasm, native and webgpu to 0.01 nats. Some do not: over a
 * conv model's first 32 Adam steps, or 200 steps of the k = 50 IWAE bound, the backends' float32 rounding
 * (gradients within 1e-4 of each other, webgpu-step.test.ts) grows, as Adam's first steps move even
 * rounding-sized gradients by the full learning rate. Two correct CPU backends ended 1.4 nats (vae-conv-z2,
 * wasm against the native kernels of 44f482b) and 1.6 nats (iwae-k50) apart; with native's BatchNorm and
 * convolutions reworked, vae-conv-z2's wasm and native agree to 0.02 nats while webgpu (unchanged) stands
 * 1.08 from both. The drift is chaotic, so the range two runs happen to span says little about it: on these
 * drift-prone configs webgpu must land within 2 nats of the CPU range, on the others within 1 (a broken
 * kernel is off by tens of nats or more: lavapipe's binding limit gave 8e8).
 */
const DRIFT_PRONE = (config: { model: { arch: string }; loss: { samples: number } }) => config.model.arch === 'conv' || config.loss.samples >= 50;
/** One test per shipped config of this architecture; `conv` or `mlp`. */
export async function describeConfigs(arch: 'mlp' | 'conv'): Promise<void> {
  const adapter = await webgpuAdapter();
  const files = FILES.filter((f) => loadConfig(f).config.model.arch === arch);
  describe.skipIf(adapter.skip)(`webgpu trains every shipped ${arch} config as wasm and native do${adapter.skip ? ` (skipped: ${adapter.why})` : ''}`, () => {
    afterAll(async () => selectBackend('cpu'));

    it('finds the shipped configs', () => {
      expect(FILES.length).toBeGreaterThan(15);
      expect(files.length).toBeGreaterThanOrEqual(arch === 'conv' ? 3 : 15);
    });

    for (const file of files) {
      const band = DRIFT_PRONE(loadConfig(file).config) ? 2 : 1;
      it(`${file}: test -ELBO on webgpu within ${band} nat${band === 1 ? '' : 's'} of wasm and native`, async () => {
        const wasm = await testNegElbo(file, 'wasm');
        const webgpu = await testNegElbo(file, 'webgpu');
        // native only where webgpu and wasm disagree by more than a nat: is that their spread, or webgpu's?
        const cpu = Math.abs(webgpu - wasm) <= 1 ? [wasm] : [wasm, await testNegElbo(file, 'native')];
        console.log(`webgpu vs CPU, ${file}: webgpu ${webgpu.toFixed(2)}, ${cpu.map((v, i) => `${i === 0 ? 'wasm' : 'native'} ${v.toFixed(2)}`).join(', ')} nats`);
        expect(webgpu).toBeGreaterThanOrEqual(Math.min(...cpu) - band);
        expect(webgpu).toBeLessThanOrEqual(Math.max(...cpu) + band);
      }, 3_600_000);
    }
  });
}
