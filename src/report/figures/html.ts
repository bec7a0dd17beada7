import { PAGE_CSS } from './css.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** An <img> of a file in the report folder; `src` is a relative path written by the stage. */
export function img(src: string, alt: string, size?: { width: number; height: number }, cls = 'digits'): string {
  const dims = size === undefined ? '' : ` width="${size.width}" height="${size.height}"`;
  return `<img class="${cls}" src="${escapeHtml(src)}" alt="${escapeHtml(alt)}"${dims}>`;
}

/** A link to a file in the report folder, for downloads (CSV). */
export function fileLink(href: string, text: string): string {
  return `<a class="file" href="${escapeHtml(href)}" download>${escapeHtml(text)}</a>`;
}

/** A small table: a header row and rows of already-escaped (trusted) cells. */
export function table(head: string[], rows: string[][], cls = 'data'): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

/** One rendered figure section: a stage that ran, or one that failed with its message. */
export type SectionHtml =
  | { id: string; type: string; title: string; ok: true; body: string; caption: string }
  | { id: string; type: string; title: string; ok: false; error: string };

export function section(s: SectionHtml, number: number): string {
  const heading = `<h2><span class="num">${number}</span> ${escapeHtml(s.title)}${s.ok ? '' : ' <span class="badge">failed</span>'}</h2>`;
  const content = s.ok
    ? `<div class="figure">${s.body}</div>\n<p class="caption">${escapeHtml(s.caption)}</p>`
    : `<p>This figure could not be drawn. The other figures are unaffected. The stage reported:</p>\n<pre class="error">${escapeHtml(s.error)}</pre>`;
  const status = s.ok ? 'ok' : 'failed';
  return `<section id="${escapeHtml(s.id)}" class="stage ${status}" data-stage="${escapeHtml(s.type)}" data-status="${status}">\n${heading}\n${content}\n</section>`;
}

export interface Page {
  title: string; // the run name
  subtitle: string; // plain text under the title
  summary: string; // trusted HTML of the summary section
  sections: SectionHtml[];
  footer: string; // plain text
}

export function page(p: Page): string {
  const toc = p.sections.map((s) => `<li${s.ok ? '' : ' class="failed"'}><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)} · vaelab report</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<nav class="toc" aria-label="Contents"><p class="brand">vaelab report</p>
<p class="top"><a href="#summary">Summary</a></p><ol>
${toc}
</ol></nav>
<main>
<header><h1>${escapeHtml(p.title)}</h1><p class="subtitle">${escapeHtml(p.subtitle)}</p></header>
<section id="summary" class="summary">
<h2>Summary</h2>
${p.summary}
</section>
${p.sections.map((s, i) => section(s, i + 1)).join('\n')}
<footer>${escapeHtml(p.footer)}</footer>
</main>
</body>
</html>
`;
}
