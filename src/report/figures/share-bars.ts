import { classColour } from './palette.js';
import { html, type SafeHtml } from './html.js';

const BAR = 14; // px per class
const HEIGHT = 36; // px of the tallest possible bar

/**
 * A small inline bar chart of one share per class (class shares among samples, accuracy per label): bars
 * in the class colours on a common 0..top scale, the class names under them, and an optional tick per bar
 * for a reference (the test set's own shares). The numbers are in each bar's tooltip and in `label`.
 */
export function shareBars(values: readonly number[], names: readonly string[], label: string, opts: { reference?: readonly number[]; top?: number } = {}): SafeHtml {
  const top = opts.top ?? Math.max(1e-9, ...values, ...(opts.reference ?? []));
  const width = values.length * BAR;
  const y = (v: number) => HEIGHT - (HEIGHT * Math.min(v, top)) / top;
  const bars = values.map((v, i) => {
    const name = names[i] ?? String(i);
    const ref = opts.reference?.[i];
    const tip = `${name}: ${(100 * v).toFixed(1)}%` + (ref === undefined ? '' : ` (test set ${(100 * ref).toFixed(1)}%)`);
    const tick = ref === undefined ? null : html`<line x1="${i * BAR + 1}" x2="${i * BAR + BAR - 1}" y1="${y(ref)}" y2="${y(ref)}" class="share-ref"/>`;
    return html`<g><title>${tip}</title><rect x="${i * BAR + 2}" y="${y(v)}" width="${BAR - 4}" height="${HEIGHT - y(v)}" fill="${classColour(i)}"/>${tick}<text x="${i * BAR + BAR / 2}" y="${HEIGHT + 11}">${name.slice(0, 2)}</text></g>`;
  });
  return html`<svg class="share-bars" role="img" aria-label="${label}" width="${width}" height="${HEIGHT + 14}" viewBox="0 0 ${width} ${HEIGHT + 14}"><line x1="0" x2="${width}" y1="${HEIGHT}" y2="${HEIGHT}" class="share-axis"/>${bars}</svg>`;
}
