import { describe, expect, it } from 'vitest';
import { escapeHtml, page, section, table } from '../../src/report/figures/html.js';
import { duration } from '../../src/report/figures/format.js';
import { summaryHtml } from '../../src/report/summary.js';
import { parseConfig } from '../../src/config/load.js';
import type { RunInfo } from '../../src/run/run-dir.js';

const EVIL = `<script>alert("x")</script>&'`;

describe('escaping what a user controls', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(EVIL)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });

  it('puts no raw <script> from a run name, a section title, a caption or an error into the page', () => {
    const html = page({
      title: EVIL,
      subtitle: EVIL,
      summary: '',
      sections: [
        { id: 'a', type: 'lossCurves', title: EVIL, ok: true, body: '<svg></svg>', caption: EVIL },
        { id: 'b', type: 'tsne', title: 'tsne', ok: false, error: `TypeError: ${EVIL}` },
      ],
      footer: EVIL,
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('<title>&lt;script&gt;');
    expect(html).toContain('<pre class="error">TypeError: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('marks a failed section and lists it in the contents', () => {
    const html = section({ id: 'tsne', type: 'tsne', title: 'tsne', ok: false, error: 'boom' }, 5);
    expect(html).toContain('data-status="failed"');
    expect(html).toContain('<span class="badge">failed</span>');
    const ok = section({ id: 'x', type: 'x', title: 'X', ok: true, body: 'B', caption: 'C' }, 1);
    expect(ok).toContain('data-status="ok"');
    expect(ok).not.toContain('badge');
  });

  it('escapes table headers, and class names in the summary config dump', () => {
    expect(table(['<b>'], [['1']])).toContain('<th>&lt;b&gt;</th>');
    const config = parseConfig({ name: 'ok', report: { stages: [] } });
    const info: RunInfo = {
      formatVersion: 1, name: 'ok', id: 'id', status: 'failed', createdAt: '', updatedAt: '', seed: 1, backend: null,
      versions: { vaelab: '0', tfjs: '4', node: 'v20' }, git: null, dataset: null, epochs: 1, epochsCompleted: 0,
      wallSeconds: 3, trainSeconds: 2, samplesPerSecond: null, error: EVIL,
    };
    const html = summaryHtml(config, info, [], `name: ${EVIL}`);
    expect(html).not.toContain('<script>');
    expect(html).toContain('No epoch completed');
  });
});

describe('duration', () => {
  it('reads naturally at every scale', () => {
    expect(duration(7.84)).toBe('7.8 s');
    expect(duration(95)).toBe('1 min 35 s');
    expect(duration(4000)).toBe('1 h 7 min');
  });
});
