import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { train } from '../../src/pipeline.js';
import { buildReport } from '../../src/report/render.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { checkReport, CHROMIUM, hasChromium, launchChromium } from './browser.js';

const SHOTS = 'test-output/report';
const VAE_SECTIONS = ['loss-curves', 'reconstructions', 'prior-samples', 'latent-scatter', 'tsne', 'manifold', 'contours', 'class-mean-grid', 'interpolations', 'latent-stats', 'explorer', 'exports'];
const CVAE_SECTIONS = ['loss-curves', 'reconstructions', 'prior-samples', 'latent-scatter', 'tsne', 'class-manifolds', 'fixed-class-grid', 'contours', 'interpolations', 'latent-stats', 'explorer', 'exports'];

let tmp: string;
let browser: Browser | undefined;
beforeAll(async () => {
  tmp = tempDir('vaelab-report-');
  if (hasChromium) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
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
  if (browser === undefined) {
    console.warn(`skipping the browser check: ${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
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

  it('the report command wants one run directory (exit 2 otherwise)', async () => {
    expect(await main(['report'])).toBe(2);
    expect(await main(['report', join(tmp, 'no-such-run')])).toBe(2);
  });
});
