import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { loadDataset, type Split } from '../../src/data/datasets.js';
import { readManifest } from '../../src/eval/classifier/store.js';
import { resume, train } from '../../src/jobs/pipeline.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readRunInfo } from '../../src/run/run-dir.js';
import { encodeIdx } from '../data/idx-fixtures.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';

/** An IDX folder of real MNIST digits, a data set vaelab ships no classifier for. */
async function idxFolder(trainCount: number, testCount: number): Promise<string> {
  const mnist = await loadDataset({ dataset: 'mnist', dir: null, trainLimit: trainCount, testLimit: testCount, heldOut: 0, shuffle: true, binarize: 'none' }, { baseDir: process.cwd() });
  const dir = tempDir('vaelab-idx-');
  const write = (prefix: string, s: Split) => {
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx([s.count, 28, 28], Uint8Array.from(s.images, (v) => Math.round(v * 255))));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx([s.count], s.labels));
  };
  write('train', mnist.train);
  write('t10k', mnist.test);
  return dir;
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('a reference classifier trained on first use', () => {
  it('is trained once per data set beside the runs, interruptible, and reused by later runs', async () => {
    const data = await idxFolder(600, 200);
    const out = tempDir();
    const config = tinyConfig({ name: 'idx', data: { dataset: 'idx', dir: data, trainLimit: 256, testLimit: 128 }, eval: { qualitySamples: 100 } });

    // Ctrl-C while the classifier trains: the run is interrupted, no half-trained classifier is left
    const controller = new AbortController();
    const lines: string[] = [];
    const console = { write: (line: string) => void (lines.push(line), line.includes('classifier epoch 1/') && controller.abort()) };
    const cut = await train(config, { out, signal: controller.signal, console });
    expect(cut.status).toBe('interrupted');
    expect(lines.join('')).toContain('no reference classifier of idx (600 training images) yet; training one (10 epochs)');
    const cache = join(out, '.classifiers');
    expect(readdirSync(cache).filter((f) => !f.endsWith('.lock'))).toEqual([]);

    const done = await resume(cut.runDir);
    expect(done.status).toBe('completed');
    const [folder] = readdirSync(cache).filter((f) => !f.endsWith('.lock'));
    expect(folder).toMatch(/^idx-[0-9a-f]{16}$/);
    const manifest = readManifest(join(cache, folder!));
    expect(manifest).toMatchObject({ dataset: 'idx', testImages: 200, backend: 'wasm' });
    expect(manifest.testAccuracy).toBeGreaterThan(0.7); // ten classes from 600 digits: chance is 0.1
    const q = readEvalMetrics(done.runDir)!.sampleQuality!;
    expect(q).toMatchObject({ classifier: manifest.sha256, classifierAccuracy: manifest.testAccuracy, samples: 100 });

    // a later run on the same files finds it: no second training, the same hash
    const again: string[] = [];
    const second = await train(config, { out, console: { write: (line: string) => void again.push(line) } });
    expect(readRunInfo(second.runDir).status).toBe('completed');
    expect(again.join('')).not.toContain('training one');
    expect(readEvalMetrics(second.runDir)!.sampleQuality!.classifier).toBe(manifest.sha256);
    expect(existsSync(join(cache, `${folder!}.lock`))).toBe(false);
  }, 300_000);
});
