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

/**
 * Markup that is safe to put in a page as it is. Only `html` (which escapes what it is given) and `raw`
 * make one, and the class is not exported, so a plain string cannot pass for markup: a function that
 * takes SafeHtml takes no unescaped user text, and the compiler says so.
 */
class Markup {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

export type SafeHtml = Markup;

/** What `html` accepts: markup as it is; text and numbers escaped; nothing for false, null, undefined; arrays joined. */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v instanceof Markup) return v.toString();
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  if (v === false || v === null || v === undefined) return '';
  return escapeHtml(String(v));
}

/**
 * html`<p title="${tip}">${text}</p>`: every interpolated value is escaped unless it is SafeHtml already,
 * so markup is built from text without an escaping call to forget. Put values in quoted attributes only.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}

/**
 * The escape hatch, for markup our own code produced: vega's SVG (vega escapes the text it draws), the
 * page's CSS and scripts, JSON made safe for <script>. Never for text that came from a run or a user.
 */
export function raw(trusted: string): SafeHtml {
  return new Markup(trusted);
}

/** JSON inside <script>: a `<` could close the element early (`</script>` in a class name), so escape it. */
export function scriptJson(value: unknown): SafeHtml {
  return raw(JSON.stringify(value).replace(/</g, '\\u003c'));
}

/** Parts joined by `separator` (text is escaped, as in `html`). */
export function joinHtml(parts: readonly HtmlValue[], separator: HtmlValue = ''): SafeHtml {
  return new Markup(parts.map(render).join(render(separator)));
}

/** An <img> of a file in the report folder; `src` is a relative path written by the stage. */
export function img(src: string, alt: string, size?: { width: number; height: number }, cls = 'digits'): SafeHtml {
  const dims = size === undefined ? '' : html` width="${size.width}" height="${size.height}"`;
  return html`<img class="${cls}" src="${src}" alt="${alt}"${dims}>`;
}

/** A link to a file in the report folder, for downloads (CSV). */
export function fileLink(href: string, text: string): SafeHtml {
  return html`<a class="file" href="${href}" download>${text}</a>`;
}

export interface TableOptions {
  cls?: string;
  numeric?: readonly number[]; // indices of the columns that hold numbers (right-aligned)
}

/** A small table: a header row and rows of cells, text or markup (text is escaped). */
export function table(head: readonly string[], rows: readonly (readonly HtmlValue[])[], opts: TableOptions = {}): SafeHtml {
  const numeric = new Set(opts.numeric ?? []);
  const th = head.map((h) => html`<th>${h}</th>`);
  const tr = rows.map((r) => html`<tr>${r.map((c, j) => (numeric.has(j) ? html`<td class="n">${c}</td>` : html`<td>${c}</td>`))}</tr>`);
  return html`<table class="${opts.cls ?? 'data'}"><thead><tr>${th}</tr></thead><tbody>\n${joinHtml(tr, '\n')}\n</tbody></table>`;
}

/** One rendered figure section: a stage that ran, or one that failed with its message. */
export type SectionHtml =
  | { id: string; type: string; title: string; ok: true; body: SafeHtml; caption: string }
  | { id: string; type: string; title: string; ok: false; error: string };

export function section(s: SectionHtml, number: number): SafeHtml {
  const heading = html`<h2><span class="num">${number}</span> ${s.title}${!s.ok && html` <span class="badge">failed</span>`}</h2>`;
  const content = s.ok
    ? html`<div class="figure">${s.body}</div>\n<p class="caption">${s.caption}</p>`
    : html`<p>This figure could not be drawn. The other figures are unaffected. The stage reported:</p>\n<pre class="error">${s.error}</pre>`;
  const status = s.ok ? 'ok' : 'failed';
  return html`<section id="${s.id}" class="stage ${status}" data-stage="${s.type}" data-status="${status}">\n${heading}\n${content}\n</section>`;
}

export interface Page {
  title: string; // the run name
  subtitle: string; // plain text under the title
  summary: SafeHtml; // the summary section's content
  sections: SectionHtml[];
  footer: string; // plain text
}

/** The whole document, as the text to write. */
export function page(p: Page): string {
  const toc = p.sections.map((s) => html`<li${!s.ok && html` class="failed"`}><a href="#${s.id}">${s.title}</a></li>`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title} · vaelab report</title>
<style>${raw(PAGE_CSS)}</style>
</head>
<body>
<nav class="toc" aria-label="Contents"><p class="brand">vaelab report</p>
<p class="top"><a href="#summary">Summary</a></p><ol>
${joinHtml(toc, '\n')}
</ol></nav>
<main>
<header><h1>${p.title}</h1><p class="subtitle">${p.subtitle}</p></header>
<section id="summary" class="summary">
<h2>Summary</h2>
${p.summary}
</section>
${joinHtml(p.sections.map((s, i) => section(s, i + 1)), '\n')}
<footer>${p.footer}</footer>
</main>
</body>
</html>
`.toString();
}
