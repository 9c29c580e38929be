// The pool switch on the health page in real Chromium: the demo pool's host, paused from the page (the host drains,
// a job waits and its page says why), resumed from the page (the job completes), and the page on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { startGenerate, waitForEvent, waitForStatus } from '../support/jobs.ts';
import { assertAccessible as axeCheck, launchChromium, openPage, shoot as screenshot, signIn } from '../support/browser.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';

let stack: TestStack;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  await ensureUiBuilt(() => {});
  // the browser first: a stack started beside a browser that cannot start would be left running
  browser = await launchChromium();
  stack = await startTestStack({ comfyStepMs: 20 });
  ({ page, errors: pageErrors } = await openPage(browser, { consoleErrors: true }));
  page.setDefaultTimeout(20_000);
  // the health page is open to all; pausing a pool takes the signed-in session
  await signIn(page, `${stack.apiUrl}/jobs`, stack.token);
  await page.locator('main h1', { hasText: 'Jobs' }).waitFor();
  await page.goto(`${stack.apiUrl}/health`);
  await page.locator('main h1', { hasText: 'Health' }).waitFor();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const shoot = (name: string) => screenshot(page, `pools-${name}`);
const assertAccessible = (screen: string) => axeCheck(page, screen);

const paused = async () => (await stack.sql`SELECT paused_by FROM gpu_pools WHERE pool = 'demo' AND paused_at IS NOT NULL`)[0]?.paused_by as string | undefined;

test('the pool switch on the health page: pause drains the pool, a job waits and says why, resume lets it complete', async () => {
  const card = page.locator('article', { hasText: 'Pool demo' });
  const toggle = card.getByRole('switch', { name: 'Pool demo takes new prompts' });
  await toggle.waitFor();
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  const host = (await stack.sql`SELECT host FROM gpu_hosts WHERE pool = 'demo'`)[0]!.host as string;
  const row = card.locator('tr', { hasText: host });
  await row.locator('.state', { hasText: 'live' }).waitFor();
  assert.match(await row.innerText(), /0 running, 0 waiting/);
  await shoot('01-running');

  await toggle.click();
  await card.locator('.paused', { hasText: 'Paused' }).waitFor();
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  assert.equal(await paused(), 'the web UI', 'the pause is in the database, by the web UI');
  await row.locator('.state', { hasText: 'draining' }).waitFor();
  assert.match(await card.innerText(), /Paused by the web UI since/);
  await shoot('02-paused');
  await assertAccessible('health with a paused pool');

  const id = await startGenerate(stack, { prompt: 'waits for the pool', width: 256, height: 256, steps: 4, count: 2 });
  await waitForEvent(stack, id, 'pool.paused');
  await page.goto(`${stack.apiUrl}/jobs/${id}`);
  const notice = page.locator('[role=status], [role=alert], .notice', { hasText: 'Waiting for GPU pool demo' }).first();
  await notice.waitFor();
  assert.match(await notice.innerText(), /Paused by the web UI since .*nothing new starts until the pool resumes/s);
  await shoot('03-job-waiting');

  await page.goto(`${stack.apiUrl}/health`);
  await toggle.click();
  await card.locator('.running', { hasText: 'Takes new prompts' }).waitFor();
  assert.equal(await paused(), undefined);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 60_000);
  assert.equal(job.status, 'COMPLETED', job.error);
  await until('the host to show its images per minute', async () => {
    await page.click('button:has-text("Check now")');
    return (await row.locator('td').nth(3).innerText()).trim() === '0.2';
  }, 20_000, 500);
  await shoot('04-resumed');

  await page.setViewportSize({ width: 375, height: 812 });
  await page.reload();
  await toggle.waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the health page is ${overflow}px wider than the phone`);
  await shoot('05-phone');
  assert.deepEqual(pageErrors, []);
});
