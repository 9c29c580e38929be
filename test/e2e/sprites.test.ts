// The sprites pages in real Chromium against the real stack: make "a 16-bit knight, 4 variants", review at a
// pixel-exact zoom, keep two, deploy them into a Bevy project and read the load lines; a sheet plays its animation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, shoot as shootPage, assertAccessible as checkAccessible } from '../support/browser.ts';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { startSprites } from '../support/sprites.ts';
import { waitForStatus } from '../support/jobs.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';

let stack: TestStack;
let browser: Browser;
let page: Page;
let root: string;
let pageErrors: string[] = [];

before(async () => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-games-')));
  await ensureUiBuilt(() => {});
  // the browser first: a stack started beside a browser that cannot start would be left running
  browser = await launchChromium();
  stack = await startTestStack({ comfyStepMs: 30, env: { ATELIER_BEVY_ROOTS: root } });
  ({ page, errors: pageErrors } = await openPage(browser, { consoleErrors: true }));
  await page.goto(`${stack.apiUrl}/sprites`);
  await page.fill('#token', stack.token);
  await page.click('button[type=submit]');
  await page.locator('main h1', { hasText: 'Sprites' }).waitFor();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const shoot = (name: string) => shootPage(page, name);

const assertAccessible = (screen: string) => checkAccessible(page, screen);

test('a 16-bit knight, 4 variants: review with zoom, keep two, deploy them and see the load lines', async () => {
  await assertAccessible('sprites form');
  await page.fill('#prompts', 'a 16-bit knight');
  await page.locator('label.card-choice', { hasText: '16-bit' }).click();
  await page.locator('label.choice', { hasText: 'PICO-8' }).click();
  await shoot('sprites-01-form');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/sprites\/sprites-/);
  const id = decodeURIComponent(page.url().split('/').pop()!);
  await until('4 sprites awaiting review', async () => (await page.locator('article.status-awaiting-review').count()) === 4, 120_000);

  // pixel-exact zoom: the 32-pixel sprite drawn at 8 × 8 screen pixels per sprite pixel, nearest-neighbour
  await page.locator('input[type=range]').fill('8');
  const image = page.locator('[data-testid=sprite-s1-v1] img.pixel-image');
  await until('the zoom to apply', async () => (await image.getAttribute('width')) === '256');
  assert.equal(await image.evaluate((img) => getComputedStyle(img).imageRendering), 'pixelated');
  assert.equal(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth), 32);
  await shoot('sprites-02-review-zoom');
  await assertAccessible('sprites review');

  // the generic job page shows the same sprites awaiting review in its review panel
  await page.goto(`${stack.apiUrl}/jobs/${encodeURIComponent(id)}`);
  await page.locator('[data-testid=review-panel] [data-testid=review-s1-v4]').waitFor();
  assert.equal(await page.locator('[data-testid=review-panel] article.review').count(), 4);
  await page.goto(`${stack.apiUrl}/sprites/${encodeURIComponent(id)}`);
  await page.locator('article.status-awaiting-review').first().waitFor();

  for (const [sprite, decision] of [['s1-v1', 'keep'], ['s1-v2', 'discard'], ['s1-v3', 'keep'], ['s1-v4', 'discard']]) {
    await page.locator(`[data-testid=sprite-${sprite}] button[data-decision=${decision}]`).click();
    await page.locator(`[data-testid=sprite-${sprite}].status-${decision === 'keep' ? 'kept' : 'discarded'}`).waitFor();
  }
  assert.equal((await waitForStatus(stack, id, ['COMPLETED', 'FAILED'])).status, 'COMPLETED');

  const game = path.join(root, 'knight-game');
  fs.mkdirSync(game);
  fs.writeFileSync(path.join(game, 'Cargo.toml'), '[package]\nname = "knight-game"\n');
  const deployButton = page.locator('button', { hasText: 'Deploy to Bevy…' });
  await until('the deploy button to be enabled', () => deployButton.isEnabled());
  await deployButton.click();
  const dialog = page.locator('[data-testid=deploy-dialog]');
  await dialog.locator('#deploy-project').fill(game);
  await dialog.locator('button', { hasText: 'Preview files' }).click();
  await dialog.locator('td', { hasText: 'assets/sprites/16_bit_knight_2.png' }).waitFor();
  assert.deepEqual(fs.readdirSync(game), ['Cargo.toml'], 'the preview writes nothing');
  assert.match(await dialog.locator('tbody').innerText(), /assets\/sprites\/16_bit_knight\.png\s+create/);
  await shoot('sprites-03-deploy-preview');
  await assertAccessible('deploy dialog');
  await dialog.locator('button.primary', { hasText: 'Deploy' }).click();
  const lines = dialog.locator('[data-testid=load-lines]');
  await lines.waitFor();
  assert.match(await lines.innerText(), /asset_server\.load\("sprites\/16_bit_knight\.png"\)\nasset_server\.load\("sprites\/16_bit_knight_2\.png"\)/);
  assert.deepEqual(fs.readdirSync(path.join(game, 'assets', 'sprites')).sort(), ['16_bit_knight.png', '16_bit_knight_2.png']);
  assert.ok(fs.existsSync(path.join(game, 'assets', 'atelier.json')));
  await shoot('sprites-04-deployed');
  await page.keyboard.press('Escape');
  assert.deepEqual(pageErrors, []);
});

test('a sheet plays its animation frame by frame, and stops on Pause', async () => {
  const id = await startSprites(stack, { prompts: [{ prompt: 'a knight walking', frames: 4 }], style: '8bit', review: false });
  await waitForStatus(stack, id, ['COMPLETED']);
  await page.goto(`${stack.apiUrl}/sprites/${id}`);
  const frame = page.locator('[data-testid=sprite-s1-v1] [role=img]');
  await frame.waitFor();
  const labels = new Set<string>();
  await until('the animation to show every frame', async () => {
    labels.add((await frame.getAttribute('aria-label'))!);
    return labels.size === 4;
  }, 10_000, 30);
  assert.deepEqual([...labels].sort(), [1, 2, 3, 4].map((n) => `a knight walking: frame ${n} of 4`));
  assert.match(await frame.evaluate((el) => getComputedStyle(el).imageRendering), /pixelated/);
  await page.locator('[data-testid=sprite-s1-v1] button', { hasText: 'Pause' }).click();
  const paused = await frame.getAttribute('aria-label');
  await page.waitForTimeout(400);
  assert.equal(await frame.getAttribute('aria-label'), paused, 'paused: the frame stays');
  await page.locator('[data-testid=sprite-s1-v1] button', { hasText: 'Next frame' }).click();
  assert.notEqual(await frame.getAttribute('aria-label'), paused);
  await shoot('sprites-05-sheet');
  await assertAccessible('sheet page');
  assert.deepEqual(pageErrors, []);
});
