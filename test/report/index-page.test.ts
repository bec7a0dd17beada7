import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/jobs/pipeline.js';
import type { ComparisonRecord } from '../../src/report/compare/index.js';
import { buildIndex, experimentsRootOf } from '../../src/report/catalog/index-page.js';
import { appendMetrics, createRunDir, createRunDirAt, updateRunInfo, type RunStatus } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { checkReport, lazyBrowser } from './browser.js';

let tmp: string;
beforeAll(() => {
  tmp = tempDir('vaelab-index-');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A run directory as training leaves it, without training: run.json, config.yaml and one epoch of metrics. */
function fakeRun(dir: string, name: string, createdAt: string, status: RunStatus, latentDim = 2): string {
  const config = tinyConfig({ name, model: { latentDim } });
  const runDir = dir.endsWith('.out') ? createRunDir(dir, config) : createRunDirAt(dir, config);
  updateRunInfo(runDir, { createdAt, status, epochsCompleted: 1, epochs: 2, dataset: { name: 'mnist', source: 'test', train: 256, test: 128 } });
  const terms = { recon: 140, kl: 5.5, negElbo: 145.5, loss: 145.5 };
  appendMetrics(runDir, { epoch: 1, steps: 4, train: terms, test: terms, trainSeconds: 1, evalSeconds: 0.1, samplesPerSecond: 256, time: createdAt });
  return runDir;
}

/** Every relative href of the page resolves to a file that exists. */
function expectLinksExist(indexPath: string): string[] {
  const html = readFileSync(indexPath, 'utf8');
  const hrefs = [...html.matchAll(/href="([^"#][^"]*)"/g)].map((m) => m[1]!);
  for (const href of hrefs) {
    expect(href, href).not.toMatch(/^(?:[a-z]+:|\/)/i);
    expect(existsSync(join(indexPath, '..', decodeURIComponent(href))), href).toBe(true);
  }
  return hrefs;
}

describe('reports/index.html', () => {
  it('lists runs (sweep points too) and comparisons newest first, links what exists, and names what it cannot read', async () => {
    const exp = join(tmp, 'experiments.out');
    const reports = join(tmp, 'reports');
    const old = fakeRun(exp, 'old-run', '2026-01-01T10:00:00.000Z', 'completed');
    fakeRun(exp, 'new-run', '2026-03-01T10:00:00.000Z', 'failed', 5);
    fakeRun(join(exp, 'sweepy', 'sweep-ab12', 'latentDim=3'), 'sweepy', '2026-02-01T10:00:00.000Z', 'completed', 3);
    mkdirSync(join(exp, 'broken', 'x'), { recursive: true });
    writeFileSync(join(exp, 'broken', 'x', 'run.json'), '{ torn');
    // The old run has a report; so does a comparison.
    const oldId = old.split('/').at(-1)!;
    mkdirSync(join(reports, 'old-run', oldId), { recursive: true });
    writeFileSync(join(reports, 'old-run', oldId, 'index.html'), '<!doctype html><title>old</title>');
    const record: ComparisonRecord = { formatVersion: 1, id: 'old-run+new-run-0123abcd', createdAt: '2026-03-02T00:00:00.000Z', keys: ['model.latentDim'], runs: [] };
    mkdirSync(join(reports, 'compare', record.id), { recursive: true });
    writeFileSync(join(reports, 'compare', record.id, 'comparison.json'), JSON.stringify(record));
    writeFileSync(join(reports, 'compare', record.id, 'index.html'), '<!doctype html><title>cmp</title>');

    const result = buildIndex(exp, reports);
    expect(result.runs).toBe(3);
    expect(result.comparisons).toBe(1);
    expect(result.unreadable).toHaveLength(1);
    expect(result.unreadable[0]).toContain(join('broken', 'x'));
    const html = readFileSync(result.indexPath, 'utf8');
    const names = [...html.matchAll(/<tr data-run="([^"/]+)\//g)].map((m) => m[1]);
    expect(names).toEqual(['new-run', 'sweepy', 'old-run']);
    expect(expectLinksExist(result.indexPath)).toEqual([`old-run/${oldId}/index.html`, `compare/${record.id}/index.html`]);
    expect(html).toMatch(/new-run <span class="se" title="npx tsx run report [^"]+ --reports [^"]+">\(no report\)<\/span>/);
    expect(html).toContain('<span class="status-bad">failed</span>');

    const browsers = lazyBrowser();
    const browser = await browsers.get('the index page');
    if (browser === null) return;
    try {
      const check = await checkReport(browser, result.indexPath, 'test-output/compare/index-page.png');
      expect(check.consoleErrors).toEqual([]);
      expect(check.sections.map((s) => s.id)).toEqual(['summary', 'runs', 'comparisons']);
      const page = await browser.newPage();
      await page.goto(pathToFileURL(result.indexPath).href);
      await page.click('#runs th:has-text("date") button');
      const order = await page.$$eval('#runs tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-run')?.split('/')[0]));
      expect(order).toEqual(['old-run', 'sweepy', 'new-run']); // oldest first after one click
    } finally {
      await browsers.close();
    }
  });

  it('finds the experiments root of a run or a sweep point', () => {
    expect(experimentsRootOf('/x/experiments/vae/20260101T000000Z-abc123', 'vae')).toBe('/x/experiments');
    expect(experimentsRootOf('/x/experiments/vae/sweep-ab12/latentDim=2', 'vae')).toBe('/x/experiments');
    expect(experimentsRootOf('/x/elsewhere/run', 'vae')).toBeNull();
  });

  it('is rebuilt after a run that writes a report, listing it with a link to its report', async () => {
    const out = join(tmp, 'hooked-runs');
    const reports = join(tmp, 'hooked-reports');
    const config = tinyConfig({ name: 'hooked', data: { trainLimit: 128, testLimit: 64 }, train: { epochs: 1 }, report: { stages: ['lossCurves'] } });
    const { runDir, reportPath } = await train(config, { out, reports });
    expect(reportPath).not.toBeNull();
    const indexPath = join(reports, 'index.html');
    const id = runDir.split('/').at(-1)!;
    expect(expectLinksExist(indexPath)).toEqual([`hooked/${id}/index.html`]);
  });
});
