import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/jobs/pipeline.js';
import type { ComparisonRecord } from '../../src/report/compare/index.js';
import { buildIndex, experimentsRootOf } from '../../src/report/catalog/index-page.js';
import { acquireLock } from '../../src/run/lock.js';
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

    const result = await buildIndex(exp, reports);
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

  it('is rebuilt under a lock: a rebuild waits for a live holder, and two at once both leave a whole page', async () => {
    const exp = join(tmp, 'locked-experiments');
    const reports = join(tmp, 'locked-reports');
    fakeRun(join(exp, 'one', 'r1'), 'one', '2026-01-01T10:00:00.000Z', 'completed');
    mkdirSync(reports, { recursive: true });
    const held = await acquireLock(join(reports, 'index.html.lock'), 'the reports index');
    const log: string[] = [];
    const pending = buildIndex(exp, reports, (m) => log.push(m));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(existsSync(join(reports, 'index.html'))).toBe(false); // still waiting
    expect(log).toEqual([expect.stringMatching(/^the reports index is being written by another process \(lock file .*index\.html\.lock\): waiting up to 10 min for it$/)]);
    held.release();
    expect((await pending).runs).toBe(1);
    const both = await Promise.all([buildIndex(exp, reports), buildIndex(exp, reports)]);
    expect(both.map((r) => r.runs)).toEqual([1, 1]);
    expect(readFileSync(join(reports, 'index.html'), 'utf8')).toMatch(/^<!doctype html>[\s\S]*<tr data-run="one\/[^"]+">[\s\S]*<\/html>\n$/);
    expect(readdirSync(reports)).toEqual(['index.html']); // no lock or temp file left behind
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
