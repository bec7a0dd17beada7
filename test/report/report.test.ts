import * as tf from '@tensorflow/tfjs';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { VaelabError } from '../../src/errors.js';
import { train } from '../../src/jobs/pipeline.js';
import { buildReport } from '../../src/report/render.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { readLatents } from '../../src/run/latents.js';
import { decodeGif } from '../helpers/gif-decode.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { checkReport, hoverPoint, lazyBrowser } from './browser.js';

const SHOTS = 'test-output/report';
const VAE_SECTIONS = ['loss-curves', 'reconstructions', 'prior-samples', 'latent-scatter', 'tsne', 'manifold', 'contours', 'class-mean-grid', 'interpolations', 'traversals', 'latent-stats', 'explorer', 'exports'];
const CVAE_SECTIONS = ['loss-curves', 'reconstructions', 'prior-samples', 'latent-scatter', 'tsne', 'class-manifolds', 'fixed-class-grid', 'contours', 'interpolations', 'traversals', 'latent-stats', 'explorer', 'exports'];

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
    expect(log.some((l) => /t-SNE: iteration \d+\/1000/.test(l))).toBe(true);
    const csv = readFileSync(join(dir, 'latents-test.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('testIndex,label,class,mu1,mu2,logVar1,logVar2');
    expect(csv).toHaveLength(201);
    expect(readFileSync(join(dir, 'tsne.csv'), 'utf8').trim().split('\n')).toHaveLength(201);
    for (const f of ['manifold.png', 'interpolations-from-6.png', 'traversals-0.png', 'latent-scatter-sampled.png', 'latent-scatter-means.png', 'contours-sampled.png', 'contours-close-up.png']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    // one GIF per pair (1 -> each other class, 6 -> each other class), each at least 30 frames from start to end
    const gifs = readdirSync(dir).filter((f) => f.endsWith('.gif')).sort();
    expect(gifs).toHaveLength(18);
    for (const source of [1, 6]) for (let t = 0; t < 10; t++) if (t !== source) expect(gifs).toContain(`interpolation-${source}-to-${t}.gif`);
    for (const gif of gifs) expect(decodeGif(readFileSync(join(dir, gif))).frames.length, gif).toBeGreaterThanOrEqual(30);
    expectSelfContained(dir);
    await expectRendersInChromium(dir, VAE_SECTIONS, 'vae-z2.png');
    const browser = await browsers.get('the t-SNE hover');
    if (browser !== null) {
      // the tooltip names a test image near the pointer (in a dense cluster a neighbour may be nearer than a rounded pixel)
      const { tip } = await hoverPoint(browser, join(dir, 'index.html'), 5);
      expect(tip).toMatch(/^test #\d+ · \d$/);
    }
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

  it('two builds of the same report at once take turns: both succeed and the folder holds every file', async () => {
    const config = tinyConfig({ name: 'report-twice', data: { trainLimit: 128, testLimit: 64 }, train: { epochs: 1 } });
    const { runDir } = await train(config, { out: join(tmp, 'runs') });
    const reports = join(tmp, 'reports-twice');
    const stages = ['lossCurves', 'latentStats', 'exports'] as const;
    const logs: string[][] = [[], []];
    // Without the lock the second build removes the first one's half-filled .next folder (or fails to create it).
    const results = await Promise.all(logs.map((log) => buildReport(runDir, reports, { stages: [...stages], log: (m) => log.push(m) })));
    for (const r of results) expect(r.stages.map((s) => [s.id, s.ok])).toEqual([['loss-curves', true], ['latent-stats', true], ['exports', true]]);
    expect(logs.flat().filter((l) => /waiting up to 10 min/.test(l))).toHaveLength(1); // the second one waited for the first
    const dir = join(results[0]!.indexPath, '..');
    expect(readdirSync(dir).sort()).toEqual(['index.html', 'latent-stats-digits.png', 'latents-test.csv', 'report.json']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/<\/html>\n$/);
    expect(readdirSync(join(dir, '..'))).toEqual([runDir.split('/').at(-1)]); // no .next, .prev or .lock left behind
  });

  it('says when the last line of metrics.jsonl was torn off, and refuses a damaged one before drawing anything', async () => {
    const config = tinyConfig({ name: 'report-torn', data: { trainLimit: 128, testLimit: 64 }, train: { epochs: 2 } });
    const { runDir } = await train(config, { out: join(tmp, 'runs') });
    const copy = (name: string, edit: (text: string) => string) => {
      const dir = join(tmp, 'damaged', name);
      cpSync(runDir, dir, { recursive: true });
      writeFileSync(join(dir, 'metrics.jsonl'), edit(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')));
      return dir;
    };
    const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);

    // killed while appending epoch 3: half a line at the end, no newline
    const torn = copy('torn', (t) => t + lines[1]!.slice(0, 40));
    const { indexPath } = await buildReport(torn, join(tmp, 'reports-damaged'), { stages: ['lossCurves'] });
    const page = readFileSync(indexPath, 'utf8');
    expect(page).toContain('The last line of metrics.jsonl was cut short (the run was killed while writing it) and is left out: the figures show the 2 complete epochs before it.');
    expect(page).toContain('After epoch 2: test −ELBO');
    // an intact run says nothing of the kind
    const intact = await buildReport(runDir, join(tmp, 'reports-damaged'), { stages: ['lossCurves'] });
    expect(readFileSync(intact.indexPath, 'utf8')).not.toContain('cut short');

    // a damaged line before the last, or a null where a number was (NaN written as JSON), is a user error naming file and line
    const middle = copy('middle', () => `${lines[0]!.slice(0, 40)}\n${lines[1]!}\n`);
    const nulled = copy('nulled', (t) => t.replace(/"kl":[\d.e+-]+/, '"kl":null'));
    for (const [dir, message] of [[middle, /metrics\.jsonl:1: not a JSON line .*the file is damaged/], [nulled, /metrics\.jsonl:1: train\.kl: .*the file is damaged/]] as const) {
      const log: string[] = [];
      const reports = join(tmp, 'reports-refused');
      const refused = buildReport(dir, reports, { log: (m) => log.push(m) });
      await expect(refused).rejects.toThrow(VaelabError);
      await expect(refused).rejects.toThrow(message);
      expect(log.filter((l) => l.startsWith('report: '))).toEqual([]); // no stage ran
      expect(existsSync(join(reports, 'report-torn'))).toBe(false); // nothing written, not even a lock
      expect(await main(['report', dir, '--reports', reports])).toBe(2);
    }
  });

  it('the report command wants one run directory (exit 2 otherwise)', async () => {
    expect(await main(['report'])).toBe(2);
    expect(await main(['report', join(tmp, 'no-such-run')])).toBe(2);
  });
});
