// The LoRA pages in real Chromium against the real stack and the demo trainer: create a character with photos,
// train with Quick, watch the loss chart move and samples appear, keep a sample, pick the LoRA on the generate page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, shoot as shootPage, assertAccessible as checkAccessible } from '../support/browser.ts';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { portrait } from '../support/lora.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';

let stack: TestStack;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  await ensureUiBuilt(() => {});
  // the browser first: a stack started beside a browser that cannot start would be left running
  browser = await launchChromium();
  stack = await startTestStack({ comfyStepMs: 5 });
  ({ page, errors: pageErrors } = await openPage(browser));
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const shoot = (name: string) => shootPage(page, `lora-${name}`);

const assertAccessible = (screen: string) => checkAccessible(page, screen);

test('create a character with photos, train with Quick, watch loss and samples live, keep a sample, pick the LoRA to generate', { timeout: 600_000 }, async () => {
  await page.goto(`${stack.apiUrl}/characters`);
  await page.fill('#token', stack.token);
  await page.click('button[type=submit]');
  await page.locator('main h1', { hasText: 'Characters' }).waitFor();
  await page.getByText('No characters yet').waitFor();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-e2e-lora-'));
  const files = await Promise.all([1, 2, 3].map(async (i) => { const f = path.join(dir, `ada-${i}.png`); fs.writeFileSync(f, await portrait(i)); return f; }));
  await page.fill('#character-name', 'Ada');
  await page.fill('#trigger-word', 'ohwx_ada');
  await page.setInputFiles('#character-images', files);
  await page.locator('#upload-caption-2').waitFor();
  await page.fill('#upload-caption-0', 'photo of [trigger], smiling');
  await assertAccessible('characters with uploads');
  await shoot('01-new-character');
  await page.getByRole('button', { name: 'Create character' }).click();

  await page.locator('main h1', { hasText: 'Ada' }).waitFor();
  assert.equal(await page.locator('[data-testid=trigger-word]').innerText(), 'ohwx_ada');
  await until('three images in the grid', async () => (await page.locator('[data-testid=dataset-image]').count()) === 3, 30_000);
  await assertAccessible('character');
  await shoot('02-character');

  await page.getByRole('link', { name: 'Train a LoRA' }).click();
  await page.locator('main h1', { hasText: 'Training' }).waitFor();
  assert.ok(await page.getByRole('radio', { name: /Quick/ }).isChecked(), 'Quick is the preset');
  await page.locator('details.advanced summary').click();
  await page.fill('#setting-steps', '60');
  await page.fill('#setting-saveEvery', '30');
  await page.fill('#setting-sampleEvery', '30');
  await page.locator('[data-testid=estimate]').waitFor();
  assert.match(await page.locator('[data-testid=demo-trainer]').innerText(), /Demo demo trainer/, 'the demo trainer is labelled');
  await assertAccessible('training form');
  await shoot('03-training-form');
  await page.getByRole('button', { name: 'Start training' }).click();

  await page.locator('[data-testid=config-summary]').waitFor();
  assert.match(await page.locator('[data-testid=config-summary]').innerText(), /Quick: 60 steps, rank 8/);
  const readings: number[] = [];
  await until('the loss chart to move', async () => {
    const points = Number(await page.locator('[data-testid=loss-chart]').getAttribute('data-points'));
    if (readings.at(-1) !== points) readings.push(points);
    return readings.filter((n) => n > 0).length >= 3;
  }, 300_000, 250);
  assert.ok(readings.every((n, i) => i === 0 || n > readings[i - 1]!), `the chart grew as events arrived: ${readings}`);
  assert.equal(await page.locator('[data-testid=trainer-status]').getAttribute('data-state'), 'running');
  await until('a sample from the trainer', async () => (await page.locator('[data-testid=samples] img').count()) >= 1, 300_000);
  await until('the trainer log', async () => /Saving at step 30/.test(await page.locator('[data-testid=trainer-log]').innerText()), 120_000);
  await assertAccessible('training live');
  await shoot('04-training-live');

  const staging = page.locator('[data-testid=review-staging]');
  await staging.waitFor({ timeout: 300_000 });
  await shoot('05-staging');
  await assertAccessible('staging');
  const picks = staging.locator('input[type=checkbox]');
  assert.equal(await picks.count(), 3, 'one staged sample per sample prompt');
  await picks.nth(1).uncheck();
  await picks.nth(2).uncheck();
  await page.fill(`#${await staging.locator('input[id^=stage-caption-]').first().getAttribute('id')}`, 'photo of [trigger], kept from the samples');
  await staging.locator('button[data-decision=keep]').click();
  const next = page.locator('[data-testid=review-staging]');
  await until('one decided, two still staged', async () => (await next.locator('input[type=checkbox]').count()) === 2, 30_000);
  await next.locator('button[data-decision=discard]').click();
  await page.locator('.page-head .badge', { hasText: /Completed/i }).waitFor({ timeout: 60_000 });

  await page.goto(`${stack.apiUrl}/dataset`);
  await page.getByText('kept sample').waitFor();
  assert.equal(await page.locator('[data-testid=dataset-image]').count(), 4);
  assert.ok((await page.locator('textarea[id^=caption-]').evaluateAll((areas) => areas.map((a) => (a as HTMLTextAreaElement).value))).includes('photo of [trigger], kept from the samples'));
  await assertAccessible('dataset');
  await shoot('06-dataset');

  await page.goto(`${stack.apiUrl}/generate`);
  const option = page.locator('#lora option', { hasText: 'Ada · 60 steps' });
  await option.waitFor({ state: 'attached' });
  await page.selectOption('#lora', { label: (await option.innerText()).trim() });
  await page.getByText('put ohwx_ada in the prompt').waitFor();
  await shoot('07-generate-with-lora');
  assert.deepEqual(pageErrors, []);
});
