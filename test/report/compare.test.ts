import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { VaelabError } from '../../src/errors.js';
import { train } from '../../src/jobs/pipeline.js';
import { buildComparison, expandRunDirs, type ComparisonRecord } from '../../src/report/compare/index.js';
import { readEvalMetrics } from '../../src/run/eval-metrics.js';
import { acquireLock } from '../../src/run/lock.js';
import { configHash, readRunConfig, updateRunInfo } from '../../src/run/run-dir.js';
import { SWEEP_FORMAT, type SweepFile } from '../../src/run/sweep-file.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { checkReport, lazyBrowser } from './browser.js';

const SHOTS = 'test-output/compare';
const SECTIONS = ['summary', 'loss-curves', 'reconstructions', 'prior-samples', 'latent-scatter', 'contours', 'runs'];

let tmp: string;
let runs: { z2: string; z3: string };
const browsers = lazyBrowser();

/** Two tiny runs that differ only in latentDim: two epochs each on a few hundred MNIST images. */
beforeAll(async () => {
  tmp = tempDir('vaelab-compare-');
  const run = async (latentDim: number) => {
    const config = tinyConfig({ name: 'cmp', data: { trainLimit: 300, testLimit: 200 }, model: { latentDim, hidden: [64] }, train: { epochs: 2, batchSize: 16, learningRate: 0.003 } });
    return (await train(config, { out: join(tmp, 'runs') })).runDir;
  };
  runs = { z2: await run(2), z3: await run(3) };
});
afterAll(async () => {
  await browsers.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The cells of the table row of one run, by its label, as [class attribute, text] pairs. */
function row(html: string, label: string): [string, string][] {
  const tr = new RegExp(`<tr data-run="${label}"[^>]*>(.*?)</tr>`).exec(html);
  expect(tr, `row ${label}`).not.toBeNull();
  return [...tr![1]!.matchAll(/<td([^>]*)>(.*?)<\/td>/g)].map((m) => [/class="([^"]*)"/.exec(m[1]!)?.[1] ?? '', m[2]!.replace(/<[^>]+>/g, '').trim()]);
}

function heads(html: string): string[] {
  return [...html.matchAll(/<th scope="col"[^>]*><button type="button">(.*?)<\/button><\/th>/g)].map((m) => m[1]!.replace(/<wbr>/g, ''));
}

describe('compare', () => {
  it('tabulates the differing key and the metrics, marks the best, and re-decodes every run', async () => {
    const tensors = tf.memory().numTensors;
    const reports = join(tmp, 'reports');
    const z2Report = join(reports, 'cmp', runs.z2.split('/').at(-1)!, 'index.html'); // where buildReport would put it
    mkdirSync(join(z2Report, '..'), { recursive: true });
    writeFileSync(z2Report, '<!doctype html><title>z2</title>');
    const result = await buildComparison([runs.z2, runs.z3], reports, { experiments: join(tmp, 'runs') });
    expect(tf.memory().numTensors).toBe(tensors); // each run's model disposed after decoding
    expect(result.failed).toEqual([]);
    expect(result.id).toMatch(/^cmp-[0-9a-f]{8}$/);
    expect(result.indexPath).toBe(join(reports, 'compare', result.id, 'index.html'));
    const html = readFileSync(result.indexPath, 'utf8');
    // backend and status are the same for both runs: one line under the table says them instead of two columns
    // the second table, beyond the likelihood: the tiny runs skip sample quality, not the probes
    expect(heads(html)).toEqual(['run', 'model.latentDim', 'test −ELBO', 'recon', 'KL', 'IWAE NLL ± se', 'active units', 'epochs', 'wall time', 'samples/s', 'run', 'model.latentDim', 'linear probe', '5-NN', 'k-means']);
    expect(html).toContain('Every run: backend wasm, status completed.');

    // The numbers are metrics.json's, and the lower test -ELBO (and IWAE NLL) is starred.
    const [m2, m3] = [readEvalMetrics(runs.z2)!, readEvalMetrics(runs.z3)!];
    const [r2, r3] = [row(html, 'latentDim 2'), row(html, 'latentDim 3')];
    expect(r2[1]).toEqual(['n', '2']);
    expect(r3[1]).toEqual(['n', '3']);
    expect(r2[2]![1]).toContain(m2.test.negElbo.toFixed(2));
    expect(r3[6]![1]).toBe(`${m3.latent.activeUnits} / 3`);
    const better = m2.test.negElbo < m3.test.negElbo ? [r2, r3] : [r3, r2];
    expect(better[0]![2]![0]).toBe('n best');
    expect(better[1]![2]![0]).toBe('n');
    expect([r2[5]![0], r3[5]![0]].filter((c) => c === 'n best')).toHaveLength(1); // IWAE NLL
    expect(r2[4]![0]).toBe('n'); // KL is not ranked

    const record = JSON.parse(readFileSync(join(reports, 'compare', result.id, 'comparison.json'), 'utf8')) as ComparisonRecord;
    expect(record.keys).toEqual(['model.latentDim']);
    expect(record.runs.map((r) => r.label)).toEqual(['latentDim 2', 'latentDim 3']);
    for (const f of ['reconstructions-classes.png', 'reconstructions-picked.png', 'prior-1.png', 'prior-2.png']) {
      expect(existsSync(join(reports, 'compare', result.id, f)), f).toBe(true);
    }
    // The z2 run's report is linked relatively; z3's is missing (report.stages: []) and says how to build it.
    const hrefs = [...html.matchAll(/<a href="([^"#][^"]*)">/g)].map((m) => m[1]!);
    expect(new Set(hrefs)).toEqual(new Set([`../../cmp/${runs.z2.split('/').at(-1)!}/index.html`]));
    expect(existsSync(join(result.indexPath, '..', hrefs[0]!))).toBe(true);
    expect(html).toMatch(/latentDim 3: no report yet for <code>[^<]+<\/code>; build it with <code>npx tsx run report /);
    expect(existsSync(join(reports, 'index.html'))).toBe(true); // rebuilt after the comparison
  });

  it('falls back to the last epoch for a run without metrics.json, and drops an empty column', async () => {
    const old = join(tmp, 'old', 'cmp', 'z3');
    cpSync(runs.z3, old, { recursive: true });
    rmSync(join(old, 'metrics.json'));
    const only = await buildComparison([old], join(tmp, 'reports-old'), { experiments: null });
    const html = readFileSync(only.indexPath, 'utf8');
    expect(heads(html)).not.toContain('IWAE NLL ± se');
    expect(html.includes('from each run&#39;s last epoch (metrics.jsonl)'), 'the source of the numbers is named').toBe(true);
  });

  it('two comparisons of the same runs at once take turns: both succeed, and the reports index is whole', async () => {
    const reports = join(tmp, 'reports-twice');
    const options = { experiments: join(tmp, 'runs') };
    const { id } = await buildComparison([runs.z2, runs.z3], reports, options);
    // a writer already at work (its lock held here): both comparisons must wait for it, then take turns
    const held = await acquireLock(join(reports, 'compare', `${id}.lock`), 'comparison');
    const logs: string[][] = [[], []];
    const running = Promise.all(logs.map((log) => buildComparison([runs.z2, runs.z3], reports, { ...options, log: (m) => log.push(m) })));
    // release only once both have met the lock (a loaded machine can take seconds to get there)
    const waiting = (log: string[]) => log.some((l) => /the comparison .* waiting up to 10 min/.test(l));
    const deadline = Date.now() + 60_000;
    while (!logs.every(waiting) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(join(reports, 'compare')).filter((f) => f.endsWith('.next'))).toEqual([]); // neither started writing
    held.release();
    const results = await running;
    for (const r of results) expect(r.failed).toEqual([]);
    expect(results.map((r) => r.id)).toEqual([id, id]);
    for (const log of logs) expect(log.filter((l) => /the comparison .* waiting up to 10 min/.test(l))).toHaveLength(1);
    const dir = join(reports, 'compare', results[0]!.id);
    const latentPngs = ['sampled-own', 'sampled-shared', 'means-shared'].flatMap((view) => [1, 2].map((run) => `latent-${view}-${run}.png`));
    expect(readdirSync(dir).sort()).toEqual(['comparison.json', 'index.html', ...latentPngs, 'prior-1.png', 'prior-2.png', 'reconstructions-classes.png', 'reconstructions-picked.png'].sort());
    expect(readdirSync(join(reports, 'compare'))).toEqual([results[0]!.id]); // no .next, .prev or .lock left behind
    const index = readFileSync(join(reports, 'index.html'), 'utf8');
    expect(index).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
    expect(index).toContain('Comparisons (1)');
    expect(index).toContain(`>${results[0]!.id}</a>`);
    expect(readdirSync(reports).sort()).toEqual(['compare', 'index.html']);
  });

  it('refuses a run whose metrics.jsonl is damaged, naming the file and line; a torn last line is said and left out', async () => {
    const text = readFileSync(join(runs.z3, 'metrics.jsonl'), 'utf8');
    const damaged = join(tmp, 'damaged', 'cmp', 'z3');
    cpSync(runs.z3, damaged, { recursive: true });
    writeFileSync(join(damaged, 'metrics.jsonl'), text.replace(/"kl":[\d.e+-]+/, '"kl":null'));
    const refused = buildComparison([runs.z2, damaged], join(tmp, 'reports-damaged'), { experiments: null });
    await expect(refused).rejects.toThrow(VaelabError);
    await expect(refused).rejects.toThrow(/z3\/metrics\.jsonl:1: train\.kl: expected number, found null; the file is damaged/);
    expect(existsSync(join(tmp, 'reports-damaged'))).toBe(false);
    expect(await main(['compare', runs.z2, damaged, '--reports', join(tmp, 'reports-damaged')])).toBe(2);

    const torn = join(tmp, 'torn', 'cmp', 'z3');
    cpSync(runs.z3, torn, { recursive: true });
    writeFileSync(join(torn, 'metrics.jsonl'), text + '{"epoch":3,"steps');
    const result = await buildComparison([runs.z2, torn], join(tmp, 'reports-torn'), { experiments: null });
    expect(readFileSync(result.indexPath, 'utf8')).toContain('The last line of metrics.jsonl was cut short (the run was killed while writing it) and is left out for latentDim 3.');
  });

  it('compares a run with one stochastic layer against one with two, as one differing key, and says what the two-layer numbers are', async () => {
    const config = tinyConfig({ name: 'cmp', data: { trainLimit: 300, testLimit: 200 }, model: { latentDim: 2, hidden: [64], intermediate: { latentDim: 4, hidden: [16] } }, train: { epochs: 2, batchSize: 16, learningRate: 0.003 } });
    const twoLayers = (await train(config, { out: join(tmp, 'two-layer') })).runDir;
    const result = await buildComparison([runs.z2, twoLayers], join(tmp, 'reports-two-layer'), { experiments: null });
    expect(result.failed).toEqual([]);
    const html = readFileSync(result.indexPath, 'utf8');
    expect(heads(html)).toContain('stochastic layers');
    expect(html).toContain('They differ in <code>model.intermediate</code>.');
    expect(row(html, 'one stochastic layer')[1]![1]).toBe('1');
    expect(row(html, 'two stochastic layers, h1 4')[1]![1]).toBe('2 (h1 4, hidden 16)');
    expect(html).toContain('cmp has two stochastic layers: the KL is the sampled KL of both layers');
    expect(html).toContain('decodes h1&#39;s posterior mean with p(x | h1)');
  });

  it('refuses runs on different data, naming both', async () => {
    const other = join(tmp, 'other', 'cmp', 'fewer-test-images');
    cpSync(runs.z3, other, { recursive: true });
    const yaml = join(other, 'config.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('testLimit: 200', 'testLimit: 150'));
    updateRunInfo(other, { configSha256: configHash(readRunConfig(other)) }); // as if trained on them: an edit alone is refused first
    const refused = buildComparison([runs.z2, other], join(tmp, 'reports-x'), { experiments: null });
    await expect(refused).rejects.toThrow(/cannot compare runs trained on different data/);
    await expect(refused).rejects.toThrow(runs.z2);
    await expect(refused).rejects.toThrow(/fewer-test-images: mnist \(trainLimit 300, testLimit 150/);
    expect(await main(['compare', runs.z2, other, '--reports', join(tmp, 'reports-x')])).toBe(2);
  });

  it('expands a sweep folder to its points in sweep order; a point without a checkpoint is left out, a named one refused', async () => {
    const sweep = join(tmp, 'sweeps', 'cmp', 'sweep-1');
    cpSync(runs.z3, join(sweep, 'latentDim=3'), { recursive: true });
    cpSync(runs.z2, join(sweep, 'latentDim=2'), { recursive: true });
    cpSync(runs.z2, join(sweep, 'latentDim=9'), { recursive: true });
    rmSync(join(sweep, 'latentDim=9', 'checkpoint'), { recursive: true }); // as if it failed in its first epoch
    const point = (name: string) => ({ name, values: {}, runDir: name, status: 'completed' as const, action: null, error: null, seconds: null, metrics: null });
    const file: SweepFile = {
      formatVersion: SWEEP_FORMAT, name: 'cmp', id: 'sweep-1', status: 'completed', keys: ['model.latentDim'], jobs: 1,
      createdAt: '', updatedAt: '', points: [point('latentDim=2'), point('latentDim=3'), point('latentDim=9'), { ...point('latentDim=10'), status: 'pending' }],
    };
    writeFileSync(join(sweep, 'sweep.json'), JSON.stringify(file));
    expect(expandRunDirs([sweep]).map((r) => r.runDir)).toEqual(['latentDim=2', 'latentDim=3', 'latentDim=9'].map((p) => join(sweep, p)));
    const result = await buildComparison([sweep], join(tmp, 'reports-sweep'), { experiments: null });
    expect(result.runDirs).toEqual([join(sweep, 'latentDim=2'), join(sweep, 'latentDim=3')]);
    expect(readFileSync(result.indexPath, 'utf8')).toMatch(/Left out: [^<]*latentDim=9 \(completed, no checkpoint\)/);
    await expect(buildComparison([join(sweep, 'latentDim=9'), runs.z2], join(tmp, 'reports-sweep'))).rejects.toThrow(/latentDim=9 \(status completed\) has no checkpoint/);
  });

  it('the CLI prints the page; in Chromium it is clean, and a header click sorts the table', async () => {
    const reports = join(tmp, 'reports-cli');
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['compare', runs.z3, runs.z2, '--reports', reports, '--out', join(tmp, 'runs')]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    const indexPath = out.join('').trim();
    expect(indexPath).toMatch(/compare\/cmp-[0-9a-f]{8}\/index\.html$/);
    expect(await main(['compare'])).toBe(2);
    const browser = await browsers.get('the comparison page');
    if (browser === null) return;

    const check = await checkReport(browser, indexPath, join(SHOTS, 'two-runs.png'), true);
    expect(check.consoleErrors).toEqual([]);
    expect(check.brokenImages).toEqual([]);
    expect(check.sections.map((s) => s.id)).toEqual(SECTIONS);
    expect(check.sections.filter((s) => s.status === 'failed')).toEqual([]);
    expect(check.svgImages).toBe(2 + 6); // the two reconstruction grids, and 2 runs x 3 views of the latents, under their axes

    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(indexPath).href);
      // the first table, the likelihood's; the second (beyond it) sorts on its own
      const order = () => page.$eval('table.sortable', (t) => [...t.querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-run')));
      expect(await order()).toEqual(['latentDim 3', 'latentDim 2']); // argument order
      await page.click('th:has-text("model.latentDim") button');
      expect(await order()).toEqual(['latentDim 2', 'latentDim 3']);
      expect(await page.getAttribute('th:has-text("model.latentDim")', 'aria-sort')).toBe('ascending');
      await page.click('th:has-text("model.latentDim") button');
      expect(await order()).toEqual(['latentDim 3', 'latentDim 2']);
      await page.click('th:has-text("test −ELBO") button');
      const column = (n: number) => page.$eval('table.sortable', (t, n) => [...t.querySelectorAll(`tbody tr td:nth-child(${n})`)].map((td) => Number(td.getAttribute('data-v'))), n);
      const elbo = await column(3);
      expect(elbo).toEqual([...elbo].sort((a, b) => a - b));
      // the probes' table sorts on its own: a click on its k-NN header orders its rows, not the first table's
      await page.click('th:has-text("5-NN") button');
      const knn = await page.$$eval('table.sortable', (ts) => [...ts[1]!.querySelectorAll('tbody tr td:nth-child(4)')].map((td) => Number(td.getAttribute('data-v'))));
      expect(knn).toEqual([...knn].sort((a, b) => a - b)); // a first click sorts ascending, as in every column
      expect(await column(3)).toEqual(elbo);
    } finally {
      await page.close();
    }
  });
});
