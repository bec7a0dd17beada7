import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { planSweep } from '../../src/config/sweep.js';
import { train } from '../../src/jobs/pipeline.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readMetrics } from '../../src/run/run-dir.js';
import { tempDir } from '../helpers/tiny.js';

/**
 * Every shipped config (each point of a sweep) trains on a small slice to the numbers recorded in
 * golden-metrics.json, to the last bit, on the wasm backend (one thread, so one order of every sum). A
 * refactor of the model, objective or training code must leave them as they are; a change that means to
 * move them re-records the file (VAELAB_RECORD_GOLDEN=1) and says why in its commit. A config with no
 * recorded numbers fails, so a new config is recorded when it is added.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'golden-metrics.json');
const RECORD = process.env.VAELAB_RECORD_GOLDEN === '1';

interface Golden {
  trainLoss: number[]; // the objective's training mean, epoch by epoch
  testNegElbo: number;
  testRecon: number;
  testKl: number;
  iwaeNll: number | null;
  activeUnits: number;
}

function yamlFiles(folder: string): string[] {
  return readdirSync(folder).sort().flatMap((e) => {
    const p = join(folder, e);
    return statSync(p).isDirectory() ? yamlFiles(p) : p.endsWith('.yaml') ? [p] : [];
  });
}

/** The config cut to a slice: 64 training and 32 test images, at most 2 epochs (2 stages of the paper's schedule), a small IWAE. */
function slice(config: Config): Config {
  const t = config.train;
  const iwaePaper = t.schedule.type === 'iwae-paper';
  return parseConfig({
    ...config,
    backend: 'wasm',
    data: { ...config.data, trainLimit: 64, testLimit: 32, heldOut: config.data.heldOut > 0 ? 8 : 0 },
    train: { ...t, batchSize: Math.min(t.batchSize, 32), epochs: iwaePaper ? null : Math.min(t.epochs ?? 2, 2), schedule: iwaePaper ? { ...t.schedule, stages: 2 } : t.schedule },
    eval: { ...config.eval, iwaeImages: 8, iwaeSamples: 4, iwaeTrainImages: config.eval.iwaeTrainImages > 0 ? 8 : 0 },
    report: { stages: [] },
  });
}

const cases = yamlFiles('configs').flatMap((file) => {
  const { config } = loadConfig(file);
  const points = config.sweep === null ? [{ name: '', config }] : planSweep(config).points;
  return points.map((p) => ({ id: p.name === '' ? file : `${file} ${p.name}`, config: slice(p.config) }));
});

const recorded: Record<string, Golden> = existsSync(FIXTURE) ? (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Golden>) : {};
const out = tempDir();

describe('every shipped config trains to its recorded numbers', () => {
  it.each(cases)('$id', async ({ id, config }) => {
    const { runDir } = await train(config, { out });
    const m = readEvalMetrics(runDir)!;
    const got: Golden = {
      trainLoss: readMetrics(runDir).map((e) => e.train.loss),
      testNegElbo: m.test.negElbo,
      testRecon: m.test.recon,
      testKl: m.test.kl,
      iwaeNll: m.iwae?.nll ?? null,
      activeUnits: m.latent.activeUnits,
    };
    if (RECORD) recorded[id] = got;
    else expect(got, `${id}: no numbers recorded (VAELAB_RECORD_GOLDEN=1 records them)`).toEqual(recorded[id]);
  });

  it.runIf(RECORD)('writes the recorded numbers', () => {
    writeFileSync(FIXTURE, JSON.stringify(recorded, null, 1) + '\n');
    expect(Object.keys(recorded)).toHaveLength(cases.length);
  });
});
