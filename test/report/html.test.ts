import { describe, expect, it } from 'vitest';
import { escapeHtml, html, joinHtml, page, raw, section, table, type SafeHtml } from '../../src/report/figures/html.js';
import { duration } from '../../src/report/figures/format.js';
import { shownConfigYaml, summaryHtml } from '../../src/report/summary.js';
import { parseConfig } from '../../src/config/load.js';
import type { RunInfo } from '../../src/run/run-dir.js';

const EVIL = `<script>alert("x")</script>&'`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;';
const NO_FINAL = { source: 'none', negElbo: null, negElboStdError: null, recon: null, kl: null, iwae: null, iwaeTrain: null, activeUnits: null, sampleQuality: null, sampleQualityGmm: null, latentKnowledge: null, problem: null } as const;

describe('escaping what a user controls', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(EVIL)).toBe(ESCAPED);
  });

  it('html`` escapes every interpolated string and number, keeps markup, joins arrays and drops false/null', () => {
    const inner = html`<b>${EVIL}</b>`;
    expect(String(html`<p title="${EVIL}">${inner}${[EVIL, html`<i>${1.5}</i>`]}${false}${null}${undefined}</p>`)).toBe(
      `<p title="${ESCAPED}"><b>${ESCAPED}</b>${ESCAPED}<i>1.5</i></p>`,
    );
    // A quote in an attribute value cannot end the attribute.
    expect(String(html`<a title="${'" onmouseover="alert(1)'}">x</a>`)).toBe('<a title="&quot; onmouseover=&quot;alert(1)">x</a>');
    expect(String(raw('<svg></svg>'))).toBe('<svg></svg>');
    expect(String(joinHtml([EVIL, html`<br>`], raw('<hr>')))).toBe(`${ESCAPED}<hr><br>`);
    expect(String(joinHtml(['a', 'b'], '<'))).toBe('a&lt;b');
  });

  it('a plain string or look-alike object is not markup, for the type checker', () => {
    // @ts-expect-error a string must go through html`` (escaped) or raw() (trusted) to become markup
    const fromString: SafeHtml = '<b>x</b>';
    // @ts-expect-error an object with a toString is not markup either: the brand is a private field
    const lookAlike: SafeHtml = { toString: () => '<b>x</b>' };
    // and at run time neither is taken as markup: both are escaped
    expect(String(html`${fromString}${lookAlike as unknown as string}`)).toBe('&lt;b&gt;x&lt;/b&gt;&lt;b&gt;x&lt;/b&gt;');
  });

  it('puts no raw <script> from a run name, a section title, a caption or an error into the page', () => {
    const text = page({
      title: EVIL,
      subtitle: EVIL,
      summary: html``,
      sections: [
        { id: 'a', type: 'lossCurves', title: EVIL, ok: true, body: raw('<svg></svg>'), caption: EVIL },
        { id: 'b', type: 'tsne', title: 'tsne', ok: false, error: `TypeError: ${EVIL}` },
      ],
      footer: EVIL,
    });
    expect(text).not.toContain('<script>');
    expect(text).toContain('<title>&lt;script&gt;');
    expect(text).toContain('<pre class="error">TypeError: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('marks a failed section and lists it in the contents', () => {
    const failed = String(section({ id: 'tsne', type: 'tsne', title: 'tsne', ok: false, error: 'boom' }, 5));
    expect(failed).toContain('data-status="failed"');
    expect(failed).toContain('<span class="badge">failed</span>');
    const ok = String(section({ id: 'x', type: 'x', title: 'X', ok: true, body: html`B`, caption: 'C' }, 1));
    expect(ok).toContain('data-status="ok"');
    expect(ok).not.toContain('badge');
  });

  it('escapes table headers and text cells, keeps markup cells, marks numeric columns', () => {
    const t = String(table(['<b>', 'n'], [[EVIL, '1.50'], [html`<a href="x">x</a>`, '2']], { numeric: [1] }));
    expect(t).toContain('<th>&lt;b&gt;</th>');
    expect(t).toContain(`<tr><td>${ESCAPED}</td><td class="n">1.50</td></tr>`);
    expect(t).toContain('<td><a href="x">x</a></td>');
  });

  it('escapes the run fields and the config dump in the summary', () => {
    const config = parseConfig({ name: 'ok', report: { stages: [] } });
    const info: RunInfo = {
      formatVersion: 1, name: 'ok', id: 'id', status: 'failed', createdAt: '', updatedAt: '', seed: 1, backend: { name: EVIL, attempts: [] },
      versions: { vaelab: EVIL, tfjs: '4', node: 'v20' }, git: null, dataset: null, epochs: 1, epochsCompleted: 0,
      wallSeconds: 3, trainSeconds: 2, samplesPerSecond: null, error: EVIL,
    };
    const text = String(summaryHtml({ config, info, metrics: { metrics: [], tornLastLine: false }, configYaml: `name: ok # ${EVIL}`, runDir: '/runs/ok/id', final: NO_FINAL, usage: null, notDrawn: [], classNames: [] }));
    expect(text).not.toContain('<script>');
    expect(text).toContain(`vaelab ${ESCAPED}`);
    expect(text).toContain('No epoch completed');
    expect(text).not.toContain('torn-metrics');
  });

  it('says when the last line of metrics.jsonl was torn off', () => {
    const config = parseConfig({ name: 'ok', report: { stages: [] } });
    const info = { formatVersion: 1, name: 'ok', id: 'id', status: 'interrupted', createdAt: '', updatedAt: '', seed: 1, backend: null, versions: { vaelab: '0', tfjs: '4', node: 'v20' }, git: null, dataset: null, epochs: 2, epochsCompleted: 1, wallSeconds: 3, trainSeconds: 2, samplesPerSecond: null, error: null } satisfies RunInfo;
    const terms = { recon: 140, kl: 5.5, negElbo: 145.5, loss: 145.5 };
    const metrics = [{ epoch: 1, steps: 4, train: terms, test: terms, trainSeconds: 1, evalSeconds: 0.1, samplesPerSecond: 256, time: '' }];
    const text = String(summaryHtml({ config, info, metrics: { metrics, tornLastLine: true }, configYaml: 'name: ok', runDir: '/runs/ok/id', final: NO_FINAL, usage: null, notDrawn: [], classNames: [] }));
    expect(text).toContain('The last line of metrics.jsonl was cut short (the run was killed while writing it) and is left out');
    expect(text).toContain('<td class="n">145.50</td>');
  });

  it('shows data.dir in the config dump without the folders above the project', () => {
    const inside = shownConfigYaml(`# resolved config of run x\ndata:\n  dataset: idx\n  dir: ${process.cwd()}/data/fashion\n`);
    expect(inside).toContain('dir: data/fashion # relative to the folder the report was built in');
    expect(inside).toContain('# resolved config of run x');
    const outside = shownConfigYaml('data:\n  dataset: idx\n  dir: /home/someone/secret/fashion\n');
    expect(outside).not.toContain('/home/someone');
    expect(outside).toContain('dir: …/fashion # shortened for this page');
    expect(shownConfigYaml('data:\n  dataset: mnist\n  dir: null\n')).toBe('data:\n  dataset: mnist\n  dir: null\n');
  });
});

describe('duration', () => {
  it('reads naturally at every scale', () => {
    expect(duration(7.84)).toBe('7.8 s');
    expect(duration(95)).toBe('1 min 35 s');
    expect(duration(4000)).toBe('1 h 7 min');
  });
});
