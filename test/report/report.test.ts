import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { train } from '../../src/jobs/pipeline.js';
import { buildReport } from '../../src/report/render.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readLatents } from '../../src/run/latents.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { checkReport, lazyBrowser } from './browser.js';

const SHOTS = 'test-output/report';
const VAE_SECTIONS = ['loss-curves', 'reconstructions', 'prior-samples', 'latent-scatter', 'tsne', 'manifold', 'contours', 'class-mean-grid', 'interpolations', 'latent-stats', 'explorer', 'exports'];
const CVAE_SECTIONS = ['loss-curves', 'reconstructions', 'prior-samples', 'latent-scatter', 'tsne', 'class-manifolds', 'fixed-class-grid', 'contours', 'interpolations', 'latent-stats', 'explorer', 'exports'];

let tmp: string;
const browsers = lazyBrowser();
beforeAll(async () => {
  tmp = tempDir('vaelab-report-');
});
afterAll(async () => {
  await browsers.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A tiny real run (report off during training, as in the CLI's `report.stages: []`), then its report. */
async function trainAndReport(name: string, model: Record<string, unknown>) {
  const config = tinyConfig({ name, data: { trainLimit: 400, testLimit: 200 }, model: { hidden: [64], ...model }, train: { epochs: 2, batchSize: 32, learningRate: 0.003 } });
  const { runDir, reportPath } = await train(config, { out: join(tmp, 'runs') });
  expect(reportPath).toBeNull();
  const tensors = tf.memory().numTensors;
  const log: string[] = [];
  const result = await buildReport(runDir, join(tmp, 'reports'), { log: (m) => log.push(m) });
  expect(tf.memory().numTensors).toBe(tensors); // the model's weights and every figure's tensors disposed
  return { runDir, result, log, dir: join(result.indexPath, '..') };
}

/** Every src and href of the page points inside the report folder, at a file that exists. */
function expectSelfContained(dir: string): void {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((l) => !l.startsWith('#'));
  expect(links.length).toBeGreaterThan(5);
  for (const link of links) {
    expect(link, link).not.toMatch(/^(?:[a-z]+:|\/)/i); // no scheme (http:, file:, data:), no absolute path
    expect(existsSync(join(dir, decodeURIComponent(link))), link).toBe(true);
  }
}

async function expectRendersInChromium(dir: string, sections: string[], shot: string): Promise<void> {
  const browser = await browsers.get(`the report ${shot}`);
  if (browser === null) return;
  const page = await checkReport(browser, join(dir, 'index.html'), join(SHOTS, shot));
  expect(page.consoleErrors).toEqual([]);
  expect(page.brokenImages).toEqual([]);
  expect(page.sections.map((s) => s.id)).toEqual(['summary', ...sections]);
  expect(page.sections.filter((s) => s.status === 'failed')).toEqual([]);
  expect(page.svgImages).toBeGreaterThan(0);
  expect(existsSync(join(SHOTS, shot))).toBe(true);
}

describe('report of a tiny run, end to end', () => {
  it('a latentDim-2 VAE: every default figure, CSVs, self-contained, clean in Chromium, relocatable', async () => {
    const { result, log, dir } = await trainAndReport('report-vae', {});
    expect(result.stages.filter((s) => !s.ok)).toEqual([]);
    expect(result.stages.map((s) => s.id)).toEqual(VAE_SECTIONS);
    expect(log.some((l) => /t-SNE: iteration \d+\/500/.test(l))).toBe(true);
    const csv = readFileSync(join(dir, 'latents-test.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('testIndex,label,class,mu1,mu2,logVar1,logVar2');
    expect(csv).toHaveLength(201);
    expect(readFileSync(join(dir, 'tsne.csv'), 'utf8').trim().split('\n')).toHaveLength(201);
    for (const f of ['manifold.png', 'interpolations-from-1.gif', 'interpolations-from-6.png']) expect(existsSync(join(dir, f)), f).toBe(true);
    expectSelfContained(dir);
    await expectRendersInChromium(dir, VAE_SECTIONS, 'vae-z2.png');
    const moved = join(tmp, 'moved', 'somewhere-else');
    cpSync(dir, moved, { recursive: true });
    await expectRendersInChromium(moved, VAE_SECTIONS, 'vae-z2-moved.png');
  });

  it('a CVAE: per-class manifolds, the fixed-class grid and class posteriors against the prior', async () => {
    const { result, dir } = await trainAndReport('report-cvae', { kind: 'cvae' });
    expect(result.stages.filter((s) => !s.ok)).toEqual([]);
    expect(result.stages.map((s) => s.id)).toEqual(CVAE_SECTIONS);
    for (let c = 0; c < 10; c++) expect(existsSync(join(dir, `class-manifold-${c}.png`))).toBe(true);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('Class posteriors against the prior');
    expectSelfContained(dir);
    await expectRendersInChromium(dir, CVAE_SECTIONS, 'cvae-z2.png');
  });

  it('a stage that throws becomes a failed section with its message; the others render', async () => {
    const config = tinyConfig({ name: 'report-fail', data: { trainLimit: 128, testLimit: 64 }, train: { epochs: 1 } });
    const { runDir } = await train(config, { out: join(tmp, 'runs') });
    const result = await buildReport(runDir, join(tmp, 'reports'), { stages: ['lossCurves', { type: 'classMeanGrid', label: 42 }, 'exports'] });
    expect(result.stages.map((s) => [s.id, s.ok])).toEqual([['loss-curves', true], ['class-mean-grid', false], ['exports', true]]);
    expect(result.stages[1]!.error).toBe('label 42 is not a class of this data (0..9)');
    const html = readFileSync(result.indexPath, 'utf8');
    expect(html).toMatch(/<section id="class-mean-grid" class="stage failed"[^>]*data-status="failed">/);
    expect(html).toContain('<pre class="error">label 42 is not a class of this data (0..9)</pre>');
    expect(html).toMatch(/<section id="loss-curves"[^>]*data-status="ok">/);
  });

  it('latentStats takes active units from metrics.json, and without it applies the same rule to the saved latents', async () => {
    const config = tinyConfig({ name: 'report-usage', data: { trainLimit: 128, testLimit: 64 }, model: { latentDim: 4 }, train: { epochs: 1 } });
    const { runDir } = await train(config, { out: join(tmp, 'runs') });
    const caption = async (dir: string, reports: string) => {
      const { indexPath } = await buildReport(dir, join(tmp, reports), { stages: ['latentStats'] });
      const escaped = /<section id="latent-stats"[\s\S]*?<p class="caption">([^<]*)<\/p>/.exec(readFileSync(indexPath, 'utf8'))![1]!;
      return escaped.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    };
    const rule = 'active (in colour) when the variance over the test images of its posterior mean exceeds 0.01 (eval.activeThreshold)';

    // metrics.json is the source: doctor its variances and the caption follows them, not the latents.
    const doctored = join(tmp, 'usage-doctored');
    cpSync(runDir, doctored, { recursive: true });
    const metrics = readEvalMetrics(doctored)!;
    writeFileSync(join(doctored, 'metrics.json'), JSON.stringify({ ...metrics, latent: { ...metrics.latent, muVariance: [1, 0, 0.5, 0.001] } }));
    const fromJson = await caption(doctored, 'reports-doctored');
    expect(fromJson).toContain(rule);
    expect(fromJson).toContain("Numbers from the run's evaluation (metrics.json).");
    expect(fromJson).toContain('Active: z₁, z₃ (2 of 4).');

    // An unfinished run has no metrics.json: the variances of the saved test means, computed here by hand.
    const unfinished = join(tmp, 'usage-unfinished');
    cpSync(runDir, unfinished, { recursive: true });
    rmSync(join(unfinished, 'metrics.json'));
    const test = readLatents(unfinished).splits.test!;
    const variance = [0, 1, 2, 3].map((j) => {
      const xs = Array.from({ length: test.count }, (_, i) => test.mu[i * 4 + j]!);
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      return xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    });
    const active = [0, 1, 2, 3].filter((j) => variance[j]! > 0.01);
    expect(active.length).toBe(readEvalMetrics(runDir)!.latent.activeUnits); // the run's own evaluation agrees
    const computed = await caption(unfinished, 'reports-unfinished');
    expect(computed).toContain(rule);
    expect(computed).toContain('this run has no metrics.json yet');
    const names = active.map((j) => `z${String.fromCharCode(0x2081 + j)}`).join(', ');
    expect(computed).toContain(`Active: ${active.length === 0 ? 'none' : names} (${active.length} of 4).`);
  });

  it('the report command wants one run directory (exit 2 otherwise)', async () => {
    expect(await main(['report'])).toBe(2);
    expect(await main(['report', join(tmp, 'no-such-run')])).toBe(2);
  });
});
