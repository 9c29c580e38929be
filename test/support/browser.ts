// Real Chromium for the browser tests: Debian's chromium driven by playwright-core, a page that collects its
// errors, axe-core's serious and critical violations as a failure, full-page screenshots into test-output/.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
export const SCREENSHOTS = path.join(process.env.ATELIER_TEST_OUTPUT ?? 'test-output', 'screenshots');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export function launchChromium(): Promise<Browser> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A page of its own context; `errors` gathers uncaught page errors and, with `consoleErrors`, console errors
 *  other than failed resource loads (a 4xx the test provokes). */
export async function openPage(browser: Browser, options: { width?: number; height?: number; acceptDownloads?: boolean; consoleErrors?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, acceptDownloads: options.acceptDownloads ?? false });
  const page = await context.newPage();
  const errors: string[] = [];
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => errors.push(error.message));
  if (options.consoleErrors) {
    page.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text()); });
  }
  return { page, errors };
}

/** Signs in on the page the UI shows at `url` with the API token. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
}

/** A full-page screenshot from the top, saved as test-output/screenshots/<name>.png. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** axe-core in the page; serious and critical violations fail the test. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  // page.addScriptTag would add an inline <script>, which the API's CSP (script-src 'self') rightly blocks;
  // evaluating the file through DevTools keeps the CSP on for the app under test
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${screen}: accessibility violations`);
}
