import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Config as VegaLiteConfig } from 'vega-lite';
import { raw, type SafeHtml } from './html.js';

/** The font stack of the page, so charts and text match; vega measures text by estimate in Node. */
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** One look for every chart: quiet axes, readable labels, no chart border. */
const CHART_CONFIG: VegaLiteConfig = {
  font: FONT,
  background: 'transparent',
  // No ARIA label per mark item: it would double the SVG (a label per scatter point); the page's
  // captions describe each figure instead.
  aria: false,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    titleColor: '#1d2330',
    labelColor: '#3a4150',
    domainColor: '#9aa1ad',
    tickColor: '#9aa1ad',
    gridColor: '#eceef2',
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, symbolSize: 80 },
  title: { fontSize: 13, fontWeight: 600, anchor: 'start', color: '#1d2330' },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** Rounds the coordinates inside SVG attributes to 2 decimals (1/100 px): a third of the bytes, same picture. */
export function compactSvg(svg: string): string {
  return svg.replace(/="([^"]*)"/g, (_, value: string) => `="${value.replace(/(\d+\.\d\d)\d+/g, '$1')}"`);
}

/**
 * Renders a vega-lite spec to an SVG string in Node, headless (vega's 'none' renderer). Text in the
 * spec and data is escaped by vega's SVG writer, so user-controlled strings are safe in the output: that
 * is what lets it pass as markup.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<SafeHtml> {
  const withConfig = { ...spec, config: { ...CHART_CONFIG, ...spec.config } } as TopLevelSpec;
  const view = new View(parse(compile(withConfig).spec), { renderer: 'none' });
  try {
    return raw(compactSvg(await view.toSVG()));
  } finally {
    view.finalize();
  }
}
