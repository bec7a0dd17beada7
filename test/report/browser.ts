import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
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
