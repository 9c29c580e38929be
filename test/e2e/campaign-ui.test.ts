// The campaign pages in real Chromium against the real stack: a premise typed in, the outline edited in the review,
// chapter text arriving live, the flowchart clicked, an illustration made again, the pack downloaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, shoot as shootPage, assertAccessible as checkAccessible } from '../support/browser.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';
import { readZip } from '../support/zip.ts';
import { brokenLinks, llmTiming } from '../support/campaigns.ts';

let stack: TestStack;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  await ensureUiBuilt(() => {});
  // the browser first: a stack started beside a browser that cannot start would be left running
  browser = await launchChromium();
  stack = await startTestStack({ comfyStepMs: 5, llmReplyMs: 0 });
  ({ page, errors: pageErrors } = await openPage(browser, { acceptDownloads: true, consoleErrors: true }));
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const shoot = (name: string) => shootPage(page, name);

const assertAccessible = (screen: string) => checkAccessible(page, screen);

test('a premise typed in, the outline edited, chapters arriving live, a scene opened from the flowchart, the pack downloaded', async () => {
  try {
    await personMakesACampaign();
  } catch (error) {
    await shoot('campaign-failure').catch(() => {});
    throw error;
  }
});

async function personMakesACampaign() {
  await page.goto(`${stack.apiUrl}/campaigns`);
  await page.fill('#token', stack.token);
  await page.click('button[type=submit]');
  await page.locator('main h1', { hasText: 'Campaigns' }).waitFor();
  await page.getByText('No campaigns yet').waitFor();
  await assertAccessible('campaign list (empty)');

  await page.click('a:has-text("New campaign")');
  await page.locator('main h1', { hasText: 'New campaign' }).waitFor();
  await page.click('button[type=submit]');
  assert.match(await page.locator('#campaign-premise-error').innerText(), /at least 10 characters/);
  await assertAccessible('new campaign with an error');
  await page.fill('#campaign-premise', 'The lighthouse keeper of Saltmere vanished on the night the drowned bells rang.');
  await page.fill('#campaign-tone', 'eerie, hopeful');
  await page.fill('#campaign-sessions', '2');
  await shoot('campaign-01-new');
  await page.click('button[type=submit]');

  // the outline waits for review: rename the first scene, move the second act up and back, then approve
  const editor = page.locator('[data-testid=outline-editor]');
  await editor.waitFor();
  await editor.locator('details').first().locator('summary').click();
  const title = editor.locator('details').first().getByLabel('Title');
  await title.fill('The Keeper Edited Vigil');
  await editor.getByRole('button', { name: 'Move act 2 up' }).click();
  await editor.getByRole('button', { name: 'Move act 1 down' }).click();
  await shoot('campaign-02-review');
  await assertAccessible('outline review');
  await llmTiming(stack, 1500);
  await page.locator('[data-testid=review-outline] button[data-decision=approve]').click();
  await page.locator('[data-testid=review-panel]').waitFor({ state: 'detached' });

  // text arrives while the chapter is written: the caret shows and the text grows
  await page.locator('.chapter .caret').first().waitFor({ timeout: 60_000 });
  const lengths: number[] = [];
  for (let i = 0; i < 30 && !(lengths.length >= 2 && lengths.at(-1)! > lengths[0]!); i++) {
    const text = await page.locator('[data-testid=scene-view] .chapter').innerText().catch(() => '');
    if (text && lengths.at(-1) !== text.length) lengths.push(text.length);
    await page.waitForTimeout(100);
  }
  assert.ok(lengths.length >= 2 && lengths.at(-1)! > lengths[0]!, `the chapter text grew while it was written: ${lengths.join(', ')}`);
  await shoot('campaign-03-writing');
  await llmTiming(stack, 0);

  await page.locator('.badge', { hasText: 'Completed' }).waitFor({ timeout: 120_000 });
  await page.locator('.flowchart svg').waitFor();
  assert.match(await page.locator('main h1').innerText(), /.+/);
  // open a scene by its node in the flowchart, then by keyboard
  const node = page.locator('.flowchart g.node').nth(2);
  const nodeId = await node.getAttribute('id');
  await node.click();
  const sceneTitle = await page.locator('#scene-heading').innerText();
  assert.ok(sceneTitle.length > 3);
  assert.match(await page.locator('[data-testid=scene-view]').innerText(), /Read-aloud/);
  await page.locator('.flowchart g.node').first().focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#scene-heading').innerText(), 'The Keeper Edited Vigil');
  assert.notEqual(nodeId, await page.locator('.flowchart g.node').first().getAttribute('id'));
  await shoot('campaign-04-done');
  await assertAccessible('finished campaign');

  // one illustration again
  const first = page.locator('[aria-labelledby=illustrations-heading] li').first();
  await first.locator('summary').click();
  await first.getByRole('button', { name: 'Make it again' }).click();
  await first.getByText('revision 2').waitFor({ timeout: 60_000 });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Download the pack")')]);
  const file = await download.path();
  const entries = await readZip(fs.readFileSync(file!));
  assert.ok(entries.some((e) => e.name.endsWith('/README.md')));
  assert.deepEqual(brokenLinks(entries), []);
  assert.ok(entries.some((e) => e.name.endsWith('.md') && e.data.toString().includes('The Keeper Edited Vigil')));

  await page.goto(`${stack.apiUrl}/campaigns`);
  await page.locator('.list li').first().waitFor();
  await shoot('campaign-05-list');
  await assertAccessible('campaign list');
  assert.deepEqual(pageErrors, []);
}
