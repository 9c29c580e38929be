// The scene pages in real Chromium against the real stack: upload a picture, edit and approve the plan, see a failing
// step's metrics, retry with a prompt, download the .ora; then every scene screen at phone width. axe on every screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, shoot as shootPage, assertAccessible as checkAccessible } from '../support/browser.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';
import { readZip } from '../support/zip.ts';

let stack: TestStack;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  await ensureUiBuilt(() => {});
  // the browser first: a stack started beside a browser that cannot start would be left running
  browser = await launchChromium();
  stack = await startTestStack({ comfyStepMs: 5 });
  ({ page, errors: pageErrors } = await openPage(browser, { width: 1440, height: 1000, acceptDownloads: true }));
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

let completedScene = '';
const shoot = (name: string) => shootPage(page, name);

const assertAccessible = (screen: string) => checkAccessible(page, screen);

test('a picture taken apart in the browser: plan edited and approved, a failing step retried with a prompt, the .ora downloaded', async () => {
  await page.goto(`${stack.apiUrl}/scenes`);
  await page.fill('#token', stack.token);
  await page.click('button[type=submit]');
  await page.locator('main h1', { hasText: 'Scenes' }).waitFor();
  await page.getByText('No scenes yet').waitFor();
  await assertAccessible('scenes (empty)');

  const picture = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#3c9c46' } })
    .composite([{ input: { create: { width: 40, height: 40, channels: 3, background: '#c82828' } }, left: 30, top: 30 }]).png().toBuffer();
  await page.setInputFiles('#scene-image', { name: 'room.png', mimeType: 'image/png', buffer: picture });
  await page.getByText('Picture: room.png (160 × 120)').waitFor();
  await page.fill('#scene-title', 'Browser room');
  await page.selectOption('#scene-retries', '0');
  assert.equal(await page.isChecked('input[type=checkbox]'), true, 'plan review is on by default');
  await shoot('scene-01-new');
  await assertAccessible('new scene');
  await page.click('button:has-text("Start the scene")');

  await page.locator('main h1', { hasText: 'Browser room' }).waitFor();
  completedScene = new URL(page.url()).pathname;
  const editor = page.getByTestId('plan-editor');
  await editor.waitFor();
  await shoot('scene-02-plan-review');
  await assertAccessible('plan review');
  await page.fill('#prompt-0', 'The purple shape alone on a plain white background');
  await page.click('[data-testid=review-plan] button[data-decision=approve]');

  const card = page.getByTestId('review-extract-red');
  await card.waitFor();
  await card.getByText('✗ fail').first().waitFor();
  assert.match(await card.locator('table').innerText(), /Share of non-white pixels \(the target\)\s+0\.000/);
  const prompt = card.locator('textarea').first();
  assert.match(await prompt.inputValue(), /red shape/, 'the retry is pre-filled with the next variation');
  await page.getByText('Draw a mask').waitFor();
  await shoot('scene-03-failed-step');
  await assertAccessible('failed step');

  await prompt.fill('The red shape alone on a plain white background');
  await card.locator('button[data-decision=retry]').click();
  const ora = page.getByTestId('export-ora');
  await ora.waitFor({ timeout: 60_000 });
  await page.locator('.page-head .badge', { hasText: 'Completed' }).waitFor();
  await page.click('button[aria-pressed]:has-text("EXTRACT")');
  await page.locator('#attempt-pick').waitFor();
  await page.check('input[value=difference]');
  await shoot('scene-04-completed');
  await assertAccessible('completed scene');

  const [download] = await Promise.all([page.waitForEvent('download'), ora.click()]);
  assert.match(download.suggestedFilename(), /\.ora$/);
  const entries = await readZip(fs.readFileSync((await download.path())!));
  assert.equal(entries[0]!.name, 'mimetype');
  assert.ok(entries.some((e) => e.name === 'stack.xml'));

  await page.click('nav a:has-text("Scenes")');
  await page.locator('main a', { hasText: 'Browser room' }).waitFor();
  await assertAccessible('scenes (one)');
  assert.deepEqual(pageErrors, []);
});

/** the page is no wider than the phone, and axe finds nothing serious */
async function assertFitsPhone(screen: string): Promise<void> {
  // pictures change the layout once they arrive (lazy ones load only when scrolled to)
  await page.waitForFunction(() => [...document.querySelectorAll('img:not([loading=lazy])')].every((img) => (img as HTMLImageElement).complete));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${screen} is ${overflow}px wider than the phone`);
  await shoot(`scene-phone-${screen.replace(/[^a-z]+/g, '-')}`);
  await assertAccessible(`${screen} (phone)`);
}

test('every scene screen fits a phone (375 px) and stays accessible: list and form, plan review, a failed step with the brush, a finished scene', async () => {
  await page.setViewportSize({ width: 375, height: 812 });
  try {
    await page.goto(`${stack.apiUrl}/scenes`);
    await page.locator('main a', { hasText: 'Browser room' }).waitFor();
    const picture = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#3c9c46' } })
      .composite([{ input: { create: { width: 40, height: 40, channels: 3, background: '#c82828' } }, left: 30, top: 30 }]).png().toBuffer();
    await page.setInputFiles('#scene-image', { name: 'a picture with a long file name for a small screen.png', mimeType: 'image/png', buffer: picture });
    await page.getByText('Picture: a picture with a long file name').waitFor();
    await assertFitsPhone('scenes and the new scene form');

    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(picture)], { type: 'image/png' }), 'phone.png');
    const image = (await stack.api('/api/uploads', { method: 'POST', body: form })).body.uploads[0].id;
    const started = await stack.api('/api/scenes', { method: 'POST', json: { image, title: 'Phone room', reviewPlan: true, autoRetries: 0 } });
    assert.equal(started.status, 202);
    const id = started.body.id as string;
    await page.goto(`${stack.apiUrl}/scenes/${id}`);
    await page.getByTestId('plan-editor').waitFor();
    await assertFitsPhone('plan review');

    const plan = structuredClone((await stack.api(`/api/jobs/${id}`)).body.state.awaitingReview[0].detail.plan);
    plan.steps[0].prompt = 'The purple shape alone on a plain white background';
    assert.equal((await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 'plan', decision: 'approve', edits: { plan } } })).status, 200);
    const card = page.getByTestId('review-extract-red');
    await card.getByText('✗ fail').first().waitFor();
    await page.getByText('Draw a mask').click();
    await page.locator('.brush-box canvas').first().waitFor();
    await assertFitsPhone('failed step with the mask brush');
    const decide = card.locator('button[data-decision=retry]');
    const box = (await decide.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 375, `the retry button is on screen (${box.x}–${box.x + box.width})`);

    await page.goto(`${stack.apiUrl}${completedScene}`);
    await page.getByTestId('export-ora').waitFor();
    await assertFitsPhone('finished scene');
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.setViewportSize({ width: 1440, height: 1000 });
  }
});
