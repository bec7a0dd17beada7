/** The report's stylesheet: system fonts, one readable column, a sticky table of contents on wide screens. */
export const PAGE_CSS = `
:root { --ink: #1d2330; --muted: #5b6474; --rule: #e3e6ec; --accent: #0077bb; --bad: #b3261e; --paper: #ffffff; }
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body { margin: 0; color: var(--ink); background: var(--paper);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  display: grid; grid-template-columns: 15rem minmax(0, 1fr); }
nav.toc { position: sticky; top: 0; align-self: start; height: 100vh; overflow-y: auto;
  padding: 1.5rem 1rem 1.5rem 1.5rem; border-right: 1px solid var(--rule); font-size: 0.9rem; }
nav.toc .brand { font-weight: 650; letter-spacing: 0.02em; margin: 0 0 0.8rem; color: var(--muted); }
nav.toc .top { margin: 0 0 0.3rem; }
nav.toc ol { margin: 0; padding-left: 1.4rem; }
nav.toc li { margin: 0.25rem 0; }
nav.toc li.failed a { color: var(--bad); }
nav.toc a { color: var(--ink); text-decoration: none; }
nav.toc a:hover { color: var(--accent); text-decoration: underline; }
main { max-width: 68rem; padding: 1.5rem 2.5rem 3rem; }
header h1 { font-size: 1.9rem; margin: 0.2rem 0 0.2rem; letter-spacing: -0.01em; overflow-wrap: anywhere; }
.subtitle { color: var(--muted); margin: 0 0 1.5rem; font-variant-numeric: tabular-nums; }
section { padding: 1.2rem 0 1.8rem; border-top: 1px solid var(--rule); }
h2 { font-size: 1.3rem; margin: 0 0 0.9rem; }
h2 .num { color: var(--muted); font-weight: 500; margin-right: 0.3rem; }
.badge { font-size: 0.75rem; font-weight: 600; color: #fff; background: var(--bad); border-radius: 0.25rem;
  padding: 0.1rem 0.45rem; vertical-align: middle; }
.figure { overflow-x: auto; }
.figure svg { max-width: 100%; height: auto; display: block; }
.figure svg image, img.digits { image-rendering: pixelated; image-rendering: crisp-edges; }
img.digits, img.gif { max-width: 100%; height: auto; display: block; }
.panels { display: flex; flex-wrap: wrap; gap: 1.5rem 2.5rem; align-items: flex-start; margin-top: 0.8rem; }
.panels.tight { gap: 1rem 1rem; }
.panel h3, h3.sub { font-size: 0.95rem; font-weight: 600; margin: 0 0 0.4rem; color: var(--muted); }
h3.sub { margin-top: 1.2rem; }
.strip { display: flex; align-items: flex-start; gap: 0.6rem; }
.strip svg { flex: none; }
figure.anim { margin: 5px 0 0; flex: none; }
.hover-scatter { position: relative; display: inline-block; }
.hover-tip { position: absolute; z-index: 2; pointer-events: none; background: #fff; border: 1px solid var(--rule); border-radius: 6px;
  padding: 6px; box-shadow: 0 2px 6px rgba(0,0,0,.18); font-size: 0.8rem; color: var(--ink); text-align: center; }
.hover-tip[hidden] { display: none; }
.hover-digit { image-rendering: pixelated; background-repeat: no-repeat; margin-bottom: 3px; }
.gallery { display: flex; flex-wrap: wrap; gap: 0.4rem 0.9rem; margin-top: 0.6rem; }
figure.anim figcaption { font-size: 0.8rem; color: var(--muted); text-align: center; }
.caption { color: var(--muted); max-width: 48rem; margin: 0.8rem 0 0; font-size: 0.95rem; }
pre.error { background: #fdf0ef; color: var(--bad); border-left: 3px solid var(--bad); padding: 0.7rem 1rem;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85rem; }
table.data, table.kv { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.92rem; }
table.data th, table.data td, table.kv th, table.kv td { padding: 0.3rem 0.8rem 0.3rem 0; text-align: left;
  border-bottom: 1px solid var(--rule); vertical-align: top; }
table.data th { font-weight: 600; color: var(--muted); }
table.data td.n, table.data th.n { text-align: right; }
table.kv th { font-weight: 500; color: var(--muted); white-space: nowrap; }
.summary-h { font-size: 0.95rem; font-weight: 600; color: var(--muted); margin: 0 0 0.3rem; }
svg.share-bars { display: block; overflow: visible; }
svg.share-bars text { font-size: 9px; fill: var(--muted); text-anchor: middle; }
svg.share-bars .share-axis { stroke: var(--rule); }
svg.share-bars .share-ref { stroke: #222; stroke-width: 1.5; stroke-dasharray: 2 1; }
table.beyond { table-layout: fixed; width: min(100%, 60rem); }
table.beyond th { width: 14rem; white-space: normal; }
table.beyond td.v, table.beyond th.v { width: 9rem; }
table.beyond thead th:last-child { width: auto; }
table.beyond td.what { color: var(--muted); font-size: 0.85rem; }
.beyond-part { margin-top: 1.4rem; }
.summary-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem 2.5rem; }
details { margin-top: 1rem; }
details summary { cursor: pointer; color: var(--accent); }
details pre { background: #f6f7f9; padding: 0.8rem 1rem; overflow-x: auto; font-size: 0.85rem; }
a.file { color: var(--accent); }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; vertical-align: -0.05em; margin-right: 0.3em; }
footer { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--rule); padding-top: 1rem; }
@media (max-width: 60rem) {
  body { display: block; }
  nav.toc { position: static; height: auto; border-right: 0; border-bottom: 1px solid var(--rule); }
  main { padding: 1rem; }
}
/* toggle.ts: each checked input shows the view of the same position */
.toggle > input { position: absolute; opacity: 0; pointer-events: none; }
.toggle > label { display: inline-block; padding: 0.15rem 0.7rem; margin: 0 0.3rem 0.5rem 0; border: 1px solid var(--rule);
  border-radius: 1rem; font-size: 0.85rem; cursor: pointer; color: var(--muted); }
.toggle > input:checked + label { background: var(--accent); border-color: var(--accent); color: #fff; }
.toggle > input:focus-visible + label { outline: 2px solid var(--accent); outline-offset: 2px; }
.toggle .view { display: none; }
${[1, 2, 3, 4].map((k) => `.toggle > input:nth-of-type(${k}):checked ~ .views > .view:nth-child(${k})`).join(',\n')} { display: block; }
`;
