import { html, joinHtml, type SafeHtml } from './html.js';

export interface View {
  label: string;
  body: SafeHtml;
}

/**
 * Views of one figure behind buttons, the first shown: radio inputs and CSS (PAGE_CSS in css.ts), no script,
 * so the page works offline and with scripts off. `group` must be unique in the page (the section id).
 */
export function toggle(group: string, views: readonly View[]): SafeHtml {
  if (views.length < 1 || views.length > 4) throw new RangeError(`toggle: 1 to 4 views, got ${views.length}`);
  const inputs = views.map((v, i) => {
    const id = `${group}-view-${i}`;
    return html`<input type="radio" name="${group}-view" id="${id}"${i === 0 ? html` checked` : ''}><label for="${id}">${v.label}</label>`;
  });
  return html`<div class="toggle">${joinHtml(inputs)}<div class="views">${joinHtml(views.map((v) => html`<div class="view">${v.body}</div>`), '\n')}</div></div>`;
}
