import { fmt, zName } from '../figures/format.js';
import { html, joinHtml, raw, scriptJson, type SafeHtml } from '../figures/html.js';
import { EXPLORER_DIR } from './assets.js';

/** What explorer.js reads from #vx-settings: everything about the run except the weights and points. */
export interface ExplorerSettings {
  kind: 'vae' | 'cvae';
  latentDim: number;
  numClasses: number;
  height: number;
  width: number;
  dims: [number, number];
  half: number; // the plane spans [-half, half] on both axes
  start: number[]; // initial z; the other dims stay here
  classNames: string[];
  colours: string[];
}

// CSS px. Integer image scales keep pixelated upscaling even: 28 px * 9 = 252, * 6 = 168 on phones.
const PLANE = 440;
const GAP = 28;
const OUT_MIN = 260;
const SCALE = 9;
const SCALE_NARROW = 6;

/** Scoped to #vx-explorer so it cannot restyle the rest of the report; made of numbers and our constants only. */
function css(s: ExplorerSettings): SafeHtml {
  const image = (scale: number) => `width:${s.width * scale}px;height:${s.height * scale}px`;
  return raw(`
#vx-explorer{container-type:inline-size;--vx-ink:#1d2330;--vx-muted:#5b6475;--vx-line:#d5dae3;color:var(--vx-ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
#vx-explorer .vx-panes{display:flex;flex-wrap:wrap;gap:${GAP}px;align-items:flex-start}
#vx-explorer .vx-side{flex:0 1 ${PLANE}px;min-width:0}
#vx-explorer .vx-out{flex:1 1 ${OUT_MIN}px;max-width:380px}
#vx-explorer .vx-under{padding-left:40px}
#vx-explorer #vx-plane{display:block;width:100%;aspect-ratio:1;touch-action:none;cursor:crosshair;border-radius:8px}
#vx-explorer #vx-plane:focus-visible{outline:2px solid #3f90da;outline-offset:3px}
#vx-explorer #vx-digit{display:block;${image(SCALE)};image-rendering:pixelated;background:#000;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.25)}
#vx-explorer .vx-z{display:block;margin:12px 0 0;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap}
#vx-explorer .vx-note,#vx-explorer .vx-hint,#vx-explorer .vx-status{margin:8px 0 0;color:var(--vx-muted);font-size:13px}
#vx-explorer .vx-legend{display:flex;flex-wrap:wrap;gap:4px 12px;margin:10px 0 0;padding:0;list-style:none;font-size:13px}
#vx-explorer .vx-legend li::before,#vx-explorer .vx-classes button::before{content:"";display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:50%;background:var(--vx-c)}
#vx-explorer .vx-classes{display:flex;flex-wrap:wrap;gap:6px;margin:14px 0 0;max-width:${s.width * SCALE + 8}px}
#vx-explorer .vx-classes button{font:inherit;font-size:13px;padding:4px 9px;border:1px solid var(--vx-line);border-radius:999px;background:#fff;color:var(--vx-ink);cursor:pointer}
#vx-explorer .vx-classes button[aria-pressed="true"]{border-color:var(--vx-ink);background:var(--vx-ink);color:#fff}
#vx-explorer .vx-classes button:focus-visible{outline:2px solid #3f90da;outline-offset:2px}
#vx-explorer[data-state="error"] .vx-status{color:#bd1f01}
/* Too narrow for side by side (phones): the image goes above the plane, smaller, so both stay on screen while a finger drags. */
@container (max-width:${PLANE + GAP + OUT_MIN - 1}px){#vx-explorer .vx-out{order:-1;max-width:none}#vx-explorer #vx-digit{${image(SCALE_NARROW)}}}
`);
}

function legend(s: ExplorerSettings): SafeHtml {
  const items = s.classNames.map((name, k) => html`<li style="--vx-c:${s.colours[k % s.colours.length]}">${name}</li>`);
  return html`<ul class="vx-legend" aria-label="class colours">${items}</ul>`;
}

function classPicker(s: ExplorerSettings): SafeHtml {
  const buttons = s.classNames.map(
    (name, k) => html`<button type="button" data-class="${k}" aria-pressed="${String(k === 0)}" style="--vx-c:${s.colours[k % s.colours.length]}">${name}</button>`,
  );
  return html`<div id="vx-classes" class="vx-classes" role="group" aria-label="class label fed to the decoder">${buttons}</div>`;
}

function fixedNote(s: ExplorerSettings): SafeHtml {
  const [dx, dy] = s.dims;
  const others = s.start.map((v, k) => ({ k, v })).filter(({ k }) => k !== dx && k !== dy);
  const values = s.latentDim <= 12 ? `: ${others.map(({ k, v }) => `${zName(k)} = ${fmt(v)}`).join(', ')}` : '';
  return html`<p id="vx-fixed" class="vx-note">Only ${zName(dx)} and ${zName(dy)} move. The other ${others.length} dimensions are held at the mean of the test-set posterior means${values}; the backdrop shows every test image's mean projected onto ${zName(dx)} and ${zName(dy)}.</p>`;
}

/** The HTML the report embeds: scoped CSS, the two canvases and controls, and the four scripts (deferred, in order). */
export function explorerFragment(s: ExplorerSettings): SafeHtml {
  const hint = `Drag the point, or click or tap anywhere on the plane; with the plane focused, the arrow keys nudge it (Shift: further). Dots: the test images' posterior means, coloured by class.`;
  const scripts = ['tf.min.js', 'decoder.js', 'latents.js', 'explorer.js'].map((f) => html`<script defer src="${EXPLORER_DIR}/${f}"></script>`);
  return html`<div id="vx-explorer" class="vx" data-state="loading">
<style>${css(s)}</style>
<script type="application/json" id="vx-settings">${scriptJson(s)}</script>
<div class="vx-panes">
<div class="vx-side">
<canvas id="vx-plane" tabindex="0" aria-label="latent plane ${zName(s.dims[0])} by ${zName(s.dims[1])}: drag the point to move z"></canvas>
<div class="vx-under">
${s.kind !== 'cvae' && legend(s)}
<p class="vx-hint">${hint}</p>
</div>
</div>
<div class="vx-out">
<canvas id="vx-digit" width="${s.width}" height="${s.height}" aria-label="the decoded image of z"></canvas>
<output id="vx-z" class="vx-z" for="vx-plane"></output>
${s.kind === 'cvae' && classPicker(s)}
${s.latentDim > 2 && fixedNote(s)}
<p id="vx-status" class="vx-status" role="status">Loading the decoder…</p>
<noscript><p class="vx-note">The explorer needs JavaScript.</p></noscript>
</div>
</div>
</div>
${joinHtml(scripts, '\n')}`;
}
