import * as tf from '@tensorflow/tfjs';
import { latentUsage } from '../../src/eval/active-units.js';
import { strongestPair } from '../../src/report/analysis/posterior-stats.js';
import { zName } from '../../src/report/figures/format.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vae } from '../../src/models/family.js';
import { decode } from '../../src/models/vae.js';
import { runConfig, train } from '../../src/jobs/pipeline.js';
import { createContext } from '../../src/report/context.js';
import { explorerStage } from '../../src/report/stages/explorer.js';
import { explorerFragment } from '../../src/report/explorer/fragment.js';
import { explorerPlane } from '../../src/report/explorer/plane.js';
import { html as markup, page as reportPage } from '../../src/report/figures/html.js';
import type { Stage } from '../../src/report/types.js';
import { readMetricsFile, readRunInfo } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { launchChromium, SKIP_BROWSER, skipNote } from './browser.js';

const SHOTS = 'test-output/explorer';

type Explorer = { vaelabExplorer: { decode(z: number[], label: number | null): number[] } };

let tmp: string;
let browser: Browser;
beforeAll(async () => {
  tmp = tempDir('vaelab-explorer-');
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Trains a tiny run, runs the stage into a report folder and wraps its fragment in the report's page. */
async function explorerReport(name: string, model: Record<string, unknown>, trainLimit = 1000) {
  // 1000 images at batch 32 and a high learning rate: in about a second the decoder draws digit-like blobs.
  // `hidden` is an mlp key: the conv model takes none.
  const config = tinyConfig({ name, data: { trainLimit, testLimit: 200 }, model: { ...(model['arch'] === 'conv' ? {} : { hidden: [64] }), ...model }, train: { epochs: 1, batchSize: 32, learningRate: 0.003 } });
  const { runDir } = await train(config, { out: join(tmp, 'runs') });
  const outDir = join(tmp, 'reports', name);
  const ctx = createContext({ runDir, config: runConfig(runDir), info: readRunInfo(runDir), metrics: readMetricsFile(runDir) }, outDir, () => {});
  const vae = await ctx.vae();
  const tensors = tf.memory().numTensors;
  const output = await explorerStage.run({ ...ctx, sectionId: 'explorer' }, explorerStage.options.parse({}));
  expect(tf.memory().numTensors).toBe(tensors);
  const html = reportPage({
    title: name,
    subtitle: 'explorer test',
    summary: markup``,
    sections: [{ id: 'explorer', type: 'explorer', title: output.title, ok: true, body: output.body, caption: output.caption }],
    footer: '',
  });
  writeFileSync(join(outDir, 'index.html'), html);
  return { output, outDir, vae, latents: ctx.latents(), url: pathToFileURL(join(outDir, 'index.html')).href, close: () => ctx.close() };
}

/** Opens the page from disk and waits for the explorer to leave its loading state; collects every error. */
async function open(url: string, phone = false): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage(phone ? { viewport: { width: 390, height: 844 }, hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.goto(url);
  await page.waitForSelector('#vx-explorer:not([data-state="loading"])', { timeout: 30_000 });
  expect(await page.locator('#vx-status').textContent()).toContain('Decoding live');
  expect(await page.getAttribute('#vx-explorer', 'data-state')).toBe('ready');
  return { page, errors };
}

/** The decoded image as the page drew it: one grey level (0-255) per pixel of the 28x28 canvas. */
async function digitPixels(page: Page): Promise<number[]> {
  // Two frames: the explorer decodes on the next animation frame after an input.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate(() => {
    const canvas = document.getElementById('vx-digit') as HTMLCanvasElement;
    const rgba = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    return Array.from(rgba.filter((_, i) => i % 4 === 0));
  });
}

const spread = (px: number[]) => Math.max(...px) - Math.min(...px);
const meanAbsDiff = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

/** Drags the point from one spot of the plane to another (fractions of the canvas). */
async function drag(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const plane = page.locator('#vx-plane');
  await plane.scrollIntoViewIfNeeded(); // a class button click may have scrolled it away
  const box = (await plane.boundingBox())!;
  await page.mouse.move(box.x + from[0] * box.width, box.y + from[1] * box.height);
  await page.mouse.down();
  await page.mouse.move(box.x + to[0] * box.width, box.y + to[1] * box.height, { steps: 6 });
  await page.mouse.up();
}

/** Max |page decode - Node decode| for one z, both from the same checkpoint. */
async function decodeGap(page: Page, vae: Vae, z: number[], label: number | null): Promise<number> {
  const inPage = await page.evaluate(([zz, l]) => (window as unknown as Explorer).vaelabExplorer.decode(zz, l), [z, label] as const);
  const probs = tf.tidy(() => {
    const y = label === null ? null : (tf.oneHot(tf.tensor1d([label], 'int32'), 10).toFloat() as tf.Tensor2D);
    return decode(vae, tf.tensor2d([z]), y);
  });
  const inNode = Array.from(probs.dataSync());
  probs.dispose();
  expect(inPage).toHaveLength(784);
  return Math.max(...inNode.map((v, i) => Math.abs(v - inPage[i]!)));
}

describe('explorer options and plane', () => {
  it('parses defaults, rejects equal dims and unknown keys, and fits the registry type', () => {
    expect(explorerStage.options.parse({})).toEqual({ dims: null, range: 3 }); // null: the run's strongest plane
    expect(explorerStage.options.safeParse({ dims: [2, 2] }).success).toBe(false);
    expect(explorerStage.options.safeParse({ dim: [0, 1] }).success).toBe(false);
    const registry: readonly Stage[] = [explorerStage];
    expect(registry[0]!.applies(tinyConfig({ model: { latentDim: 1 } }))).toMatch(/latentDim 1/);
    expect(registry[0]!.applies(tinyConfig())).toBe(true);
  });

  it('centres the start on the mean of the test means and grows the plane to cover them', () => {
    // 100 points: x from -4.95 to 4.95, y = 1; a third dim at 2.
    const n = 100;
    const mu = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) mu.set([-4.95 + 0.1 * i, 1, 2], i * 3);
    const latents = { latentDim: 3, splits: { test: { count: n, mu, logVar: new Float32Array(n * 3), labels: new Uint8Array(n).fill(7) } } };
    const plane = explorerPlane(latents, [0, 1], 3);
    expect(plane.half).toBe(5); // 99% of |x| is 4.85..4.95: rounded up to the next 0.5
    expect(plane.start).toEqual([0, 1, 2]);
    expect(plane.points.x[0]).toBeCloseTo(-4.95, 3);
    expect(plane.points.labels[99]).toBe(7);
    expect(explorerPlane(latents, [1, 2], 3).half).toBe(3); // y and z inside the prior's 3 sd: no growth
    expect(() => explorerPlane(latents, [0, 3], 3)).toThrow(/latent dims 0..2/);
  });

  it('escapes class names in the HTML and in the settings JSON', () => {
    const evil = '</script><img src=x onerror=alert(1)>';
    const settings = { kind: 'cvae' as const, latentDim: 2, numClasses: 2, height: 28, width: 28, dims: [0, 1] as [number, number], half: 3, start: [0, 0], classNames: [evil, 'b'], colours: ['#000', '#fff'] };
    const html = String(explorerFragment(settings));
    expect(html).not.toContain('<img');
    expect(html.match(/<\/script>/g)).toHaveLength(5); // the settings block and the four script tags, none from the name
    const json = /<script type="application\/json" id="vx-settings">(.*?)<\/script>/.exec(html)![1]!;
    expect((JSON.parse(json) as { classNames: string[] }).classNames[0]).toBe(evil);
  });
});

// .ci/run installs Debian's chromium; a machine without it fails these unless VAELAB_SKIP_BROWSER=1.
if (SKIP_BROWSER) skipNote('the explorer page');
describe.skipIf(SKIP_BROWSER)('explorer page in headless Chromium (file://, offline)', () => {
  beforeAll(async () => {
    browser = await launchChromium(); // a missing browser fails these tests, not the Node-side ones above
  });

  it('vae, latentDim 2: decodes live, follows the pointer, matches Node', async () => {
    const r = await explorerReport('vx-vae', { latentDim: 2 });
    expect(r.output.files.sort()).toEqual(['explorer/decoder.js', 'explorer/explorer.js', 'explorer/latents.js', 'explorer/tf.min.js']);
    expect(readFileSync(join(r.outDir, 'explorer/tf.min.js'), 'utf8')).not.toContain('sourceMappingURL');
    const { page, errors } = await open(r.url);
    const before = await digitPixels(page);
    expect(spread(before)).toBeGreaterThan(40); // a digit, not a blank canvas
    await page.locator('#explorer').screenshot({ path: join(SHOTS, 'vae-z2.png') });
    const zBefore = await page.locator('#vx-z').textContent();
    const pageTensors = () => page.evaluate(() => (window as unknown as { tf: typeof tf }).tf.memory().numTensors);
    const tensorsBefore = await pageTensors();
    await drag(page, [0.5, 0.5], [0.85, 0.2]);
    const after = await digitPixels(page);
    expect(await pageTensors()).toBe(tensorsBefore); // every decode freed its tensors
    expect(meanAbsDiff(before, after)).toBeGreaterThan(2);
    expect(await page.locator('#vx-z').textContent()).not.toBe(zBefore);
    await page.locator('#vx-plane').press('ArrowLeft'); // the keyboard moves it too
    expect(meanAbsDiff(after, await digitPixels(page))).toBeGreaterThan(0);
    expect(await decodeGap(page, r.vae, [0.5, -1], null)).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
    await page.close();
    await r.close();
  });

  it('conv decoder (BatchNorm, upsampling, convolutions): decodes in the page as in Node', async () => {
    const r = await explorerReport('vx-conv', { arch: 'conv', latentDim: 2 }, 32); // one step: conv training is slow here
    const { page, errors } = await open(r.url);
    expect(await decodeGap(page, r.vae, [0.5, -1], null)).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
    await page.close();
    await r.close();
  });

  it('says so on the page when its scripts are missing (report folder copied without explorer/)', async () => {
    const r = await explorerReport('vx-broken', { latentDim: 2 });
    rmSync(join(r.outDir, 'explorer', 'decoder.js'));
    const page = await browser.newPage();
    await page.goto(r.url);
    await page.waitForSelector('#vx-explorer[data-state="error"]', { timeout: 30_000 });
    expect(await page.locator('#vx-status').textContent()).toBe('The explorer could not start: explorer/decoder.js did not load; the explorer/ folder belongs beside index.html');
    await page.close();
    await r.close();
  });

  it('says so on the page when latents.js holds null (an edited or foreign file), without a script error', async () => {
    const r = await explorerReport('vx-null', { latentDim: 2 });
    writeFileSync(join(r.outDir, 'explorer', 'latents.js'), 'window.VAELAB_LATENTS = null;\n');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    await page.goto(r.url);
    await page.waitForSelector('#vx-explorer[data-state="error"]', { timeout: 30_000 });
    expect(await page.locator('#vx-status').textContent()).toBe('The explorer could not start: explorer/latents.js does not hold what the explorer expects; rebuild the report (npx tsx run report <run folder>)');
    expect(errors).toEqual([]);
    await page.close();
    await r.close();
  });

  it('cvae: a class button changes the image and feeds the one-hot label', async () => {
    const r = await explorerReport('vx-cvae', { kind: 'cvae', latentDim: 2 });
    const { page, errors } = await open(r.url);
    const zero = await digitPixels(page);
    expect(spread(zero)).toBeGreaterThan(40);
    await page.click('#vx-classes button[data-class="7"]');
    expect(await page.getAttribute('#vx-classes button[data-class="7"]', 'aria-pressed')).toBe('true');
    const seven = await digitPixels(page);
    expect(meanAbsDiff(zero, seven)).toBeGreaterThan(2);
    await page.locator('#explorer').screenshot({ path: join(SHOTS, 'cvae-z2.png') });
    await drag(page, [0.5, 0.5], [0.25, 0.75]);
    expect(meanAbsDiff(seven, await digitPixels(page))).toBeGreaterThan(2);
    expect(await decodeGap(page, r.vae, [0.5, -1], 3)).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
    await page.close();
    await r.close();
  });

  it('vae, latentDim 5, on a touch phone: moves two dims, holds and names the other three', async () => {
    const r = await explorerReport('vx-z5', { latentDim: 5 });
    const { page, errors } = await open(r.url, true);
    // By default the plane is the two dimensions with the largest average KL, as in the report's other figures.
    const test = r.latents.splits.test!;
    const [dx, dy] = strongestPair(latentUsage(test.mu, test.logVar, test.count, 5, 0.01).klPerDim);
    const others = [0, 1, 2, 3, 4].filter((d) => d !== dx && d !== dy).map(zName);
    const note = (await page.locator('#vx-fixed').textContent())!;
    expect(note).toContain(`Only ${zName(dx)} and ${zName(dy)} move.`);
    expect(note).toMatch(new RegExp(`other 3 dimensions are held at the mean.*${others.map((z) => `${z} = `).join('.*')}`));
    const before = await digitPixels(page);
    expect(spread(before)).toBeGreaterThan(40);
    await page.locator('#explorer').screenshot({ path: join(SHOTS, 'vae-z5.png') });
    await page.locator('#vx-plane').scrollIntoViewIfNeeded();
    const box = (await page.locator('#vx-plane').boundingBox())!;
    expect(box.width).toBeLessThan(390); // the plane shrinks to the phone's width
    await page.touchscreen.tap(box.x + 0.15 * box.width, box.y + 0.15 * box.height);
    expect(meanAbsDiff(before, await digitPixels(page))).toBeGreaterThan(2);
    expect(await page.locator('#vx-z').textContent()).toMatch(/z = \((\u2212?\d\.\d\d, ){4}\u2212?\d\.\d\d\)/);
    expect(await decodeGap(page, r.vae, [0.5, -1, 0.2, 0, -0.3], null)).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
    await page.close();
    await r.close();
  });
});
