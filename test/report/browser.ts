import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/**
 * VAELAB_SKIP_BROWSER=1 is the one way to leave the page checks out (a machine without Chromium). Without
 * it a missing browser fails them: a test that could not open the page has not checked it.
 */
export const SKIP_BROWSER = process.env['VAELAB_SKIP_BROWSER'] === '1';

export function skipNote(what: string): void {
  console.warn(`VAELAB_SKIP_BROWSER=1: skipping the browser check of ${what}`);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing, so the page cannot be checked in a browser: install it (apt-get install chromium), or set VAELAB_SKIP_BROWSER=1 to skip the browser checks`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** One browser per test file, started by the first check that needs it, so a missing one fails only those checks. */
export function lazyBrowser(): { get(what: string): Promise<Browser | null>; close(): Promise<void> } {
  let started: Promise<Browser> | null = null;
  return {
    async get(what) {
      if (SKIP_BROWSER) {
        skipNote(what);
        return null;
      }
      return (started ??= launchChromium());
    },
    async close() {
      await started?.then((b) => b.close(), () => undefined);
    },
  };
}

export interface PageCheck {
  consoleErrors: string[]; // console.error calls, uncaught exceptions, failed requests
  brokenImages: string[]; // <img> that did not load, or loaded empty
  sections: { id: string; status: string | null }[];
  svgImages: number; // <image> elements inside the inline charts (the tiled PNGs under axes)
}

/**
 * Opens a report from disk (file://, no server) as a reader would, waits for it to settle, and saves a
 * full-page screenshot (and one per section when `perSection`) beside `screenshot`.
 */
export async function checkReport(browser: Browser, indexPath: string, screenshot: string, perSection = false): Promise<PageCheck> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => consoleErrors.push(`request: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  try {
    await page.goto(pathToFileURL(indexPath).href, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle');
    const brokenImages = await page.$$eval('img', (imgs) =>
      imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.getAttribute('src') ?? '(no src)'),
    );
    const sections = await page.$$eval('main > section', (els) => els.map((e) => ({ id: e.id, status: e.getAttribute('data-status') })));
    const svgImages = await page.$$eval('main svg image', (els) => els.length);
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    if (perSection) {
      await page.screenshot({ path: screenshot.replace(/\.png$/, '-top.png') });
      const all = page.locator('main > section');
      for (let i = 0; i < sections.length; i++) {
        await all.nth(i).screenshot({ path: screenshot.replace(/\.png$/, `-${String(i).padStart(2, '0')}-${sections[i]!.id}.png`) });
      }
    }
    return { consoleErrors, brokenImages, sections, svgImages };
  } finally {
    await page.close();
  }
}

/**
 * Points at point k of the page's hover scatter (its data coordinates placed on the plotted picture) and
 * returns the tooltip's text, or null when none shows.
 */
export async function hoverPoint(browser: Browser, indexPath: string, k: number): Promise<{ tip: string | null; expected: number }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  try {
    await page.goto(pathToFileURL(indexPath).href, { waitUntil: 'load' });
    const target = await page.evaluate((i) => {
      const root = document.querySelector('.hover-scatter')!;
      root.scrollIntoView({ behavior: 'instant', block: 'start' }); // the page scrolls smoothly: wait for nothing
      const d = JSON.parse(root.querySelector('.hover-data')!.textContent!) as { domains: [[number, number], [number, number]]; points: [number, number, number, number][] };
      const r = root.querySelector('svg image')!.getBoundingClientRect();
      const p = d.points[i]!;
      const x = r.left + ((p[0] - d.domains[0][0]) / (d.domains[0][1] - d.domains[0][0])) * r.width;
      const y = r.top + ((d.domains[1][1] - p[1]) / (d.domains[1][1] - d.domains[1][0])) * r.height;
      return { x, y, idx: p[2] };
    }, k);
    await page.mouse.move(target.x - 20, target.y - 20);
    await page.mouse.move(target.x, target.y, { steps: 4 });
    await page.waitForTimeout(100);
    const tip = await page.evaluate(() => {
      const t = document.querySelector<HTMLElement>('.hover-tip')!;
      return t.hidden ? null : t.textContent;
    });
    return { tip, expected: target.idx };
  } finally {
    await page.close();
  }
}
