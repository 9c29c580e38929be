// The web UI in real Chromium against the real stack: sign-in, generate, live job page, cancel, reload, health.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openPage, shoot as shootPage, assertAccessible as checkAccessible } from '../support/browser.ts';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';
import { readZip } from '../support/zip.ts';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { findTemporalCli } from '../../infra/local/temporal-cli.ts';

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
const templatesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-templates-'));

before(async () => {
  writeUserTemplates(templatesDir);
  await ensureUiBuilt(() => {});
  // the browser first: a stack started beside a browser that cannot start would be left running
  browser = await launchChromium();
  stack = await startTestStack({ comfyStepMs: 80, temporalWeb: true, env: { ATELIER_TEMPLATES_DIR: templatesDir } });
  ({ page, errors: pageErrors } = await openPage(browser, { acceptDownloads: true, consoleErrors: true }));
  context = page.context();
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  fs.rmSync(templatesDir, { recursive: true, force: true });
});

/** A user's own graph whose manifest declares an integer, a number, a choice and text. */
function writeUserTemplates(dir: string): void {
  fs.writeFileSync(path.join(dir, 'poster.json'), JSON.stringify({
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'atelier-demo-sdxl.safetensors' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 256, height: 256, batch_size: 1 } },
    '3': { class_type: 'KSampler', inputs: { model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0], seed: 0, steps: 4, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1 } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'poster' } },
  }));
  fs.writeFileSync(path.join(dir, 'poster.manifest.json'), JSON.stringify({
    title: 'Poster', description: 'A square poster with a second prompt for its mood.',
    parameters: {
      prompt: { type: 'string', targets: [['6', 'text']] },
      mood: { type: 'string', label: 'Mood prompt', targets: [['7', 'text']], default: '', description: 'A second prompt: what the poster must avoid.' },
      passes: { type: 'integer', label: 'Sampling passes', targets: [['3', 'steps']], default: 4, max: 50 },
      guidance: { type: 'number', targets: [['3', 'cfg']], default: 6 },
      sampler: { type: 'combo', targets: [['3', 'sampler_name']], default: 'euler' },
      side: { type: 'integer', label: 'Side (px)', targets: [['5', 'width'], ['5', 'height']], default: 256, min: 64, max: 1024, step: 64 },
    },
  }));
}

const shoot = (name: string) => shootPage(page, name);

const assertAccessible = (screen: string) => checkAccessible(page, screen);

const heading = () => page.locator('main h1').first().innerText();
const waitForHeading = (text: string | RegExp) => page.locator('main h1', { hasText: text }).first().waitFor();
const statusBadge = () => page.locator('.page-head .badge').first();

async function progressReadings(until: () => Promise<boolean>): Promise<{ percents: number[]; timelineLengths: number[] }> {
  const percents: number[] = [];
  const timelineLengths: number[] = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    // read after the check, so the last readings are those of the finished page
    const done = await until();
    const summary = await page.locator('[data-testid=progress-summary] strong').innerText().catch(() => '');
    const percent = Number(summary.replace(/\D/g, ''));
    if (summary && percents.at(-1) !== percent) percents.push(percent);
    const entries = await page.locator('[data-testid=timeline] > li').count();
    if (timelineLengths.at(-1) !== entries) timelineLengths.push(entries);
    if (done) return { percents, timelineLengths };
    await page.waitForTimeout(100);
  }
  throw new Error(`the job did not finish; progress seen: ${percents.join(', ')}`);
}

test('a wrong token shows an error; the right one signs in', async () => {
  await page.goto(`${stack.apiUrl}/jobs`);
  await waitForHeading('Sign in to Atelier');
  await shoot('01-sign-in');
  await assertAccessible('sign-in');

  await page.fill('#token', 'not-the-token');
  await page.click('button[type=submit]');
  const error = page.locator('[role=alert]', { hasText: 'Could not sign in' });
  await error.waitFor();
  assert.match(await error.innerText(), /wrong API token/);
  await shoot('02-sign-in-wrong-token');
  await assertAccessible('sign-in with error');

  await page.fill('#token', stack.token);
  await page.click('button[type=submit]');
  await waitForHeading('Jobs');
  await page.getByText('No jobs yet').waitFor();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'atelier_session');
  assert.ok(session?.httpOnly && session.sameSite === 'Strict', 'the token is kept in an httpOnly SameSite=Strict cookie');
  await shoot('03-jobs-empty');
  await assertAccessible('jobs (empty)');
});

let firstJobUrl = '';

test('the generate form explains its settings, refuses bad input in words, and starts a job', async () => {
  await page.click('nav a:has-text("Generate")');
  await waitForHeading('Generate');
  await page.locator('#pool option', { hasText: 'demo' }).first().waitFor({ state: 'attached' });
  assert.equal(await page.isDisabled('#lora'), true, 'no LoRAs yet: the control is disabled');
  await page.getByText('No LoRAs yet').waitFor();
  assert.equal(await page.locator('details.advanced').getAttribute('open'), null, 'advanced settings start collapsed');
  await shoot('04-generate');
  await assertAccessible('generate');

  await page.click('details.advanced summary');
  for (const id of ['cfg', 'steps', 'sampler', 'scheduler', 'template', 'checkpoint', 'negative-prompt', 'pool']) {
    const describedBy = (await page.getAttribute(`#${id}`, 'aria-describedby')) ?? '';
    assert.ok(describedBy.split(' ').includes(`${id}-help`), `#${id} is described by its help text`);
    await page.focus(`#${id}`);
    await page.locator(`#${id}-help`).waitFor({ state: 'visible' });
  }
  await page.focus('input[name=aspect]:checked');
  await page.locator('#aspect-help').waitFor({ state: 'visible' });
  await page.focus('#cfg');
  await shoot('04b-generate-advanced-help');
  await assertAccessible('generate, advanced settings open');

  await page.click('button[type=submit]');
  await page.getByText('Describe the image you want.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'prompt', 'focus goes to the field to fix');

  await page.fill('#prompt', 'a lighthouse on a cliff at dusk');
  await page.fill('#checkpoint', 'x'.repeat(201));
  await page.click('button[type=submit]');
  const refused = page.locator('[role=alert]', { hasText: 'The job was not started' });
  await refused.waitFor();
  assert.match(await refused.innerText(), /200/);

  await page.fill('#checkpoint', '');
  await page.check('input[name=aspect][value="4:3"]');
  assert.match(await page.locator('[data-testid=size]').innerText(), /1184 × 888/);
  await page.check('input[name=count][value="4"]');
  await page.check('input[name=quality][value="draft"]');
  assert.equal(await page.inputValue('#steps'), '10', 'the Draft tier sets the steps');
  await page.check('input[name=quality][value="standard"]');
  await page.click('button:has-text("Generate 4 images")');
  await page.waitForURL(/\/jobs\/generate-[0-9a-f-]+$/);
  firstJobUrl = page.url();
  const jobs = await stack.api<{ jobs: { inputSummary: Record<string, unknown> }[] }>('/api/jobs');
  assert.deepEqual(
    { width: jobs.body.jobs[0]!.inputSummary.width, height: jobs.body.jobs[0]!.inputSummary.height, count: jobs.body.jobs[0]!.inputSummary.count, steps: jobs.body.jobs[0]!.inputSummary.steps },
    { width: 1184, height: 888, count: 4, steps: 20 },
  );
});

test('the job page shows progress moving and the timeline growing without a reload, then the images', async () => {
  await page.evaluate(() => { (window as unknown as { stayedOnPage: boolean }).stayedOnPage = true; });
  const { percents, timelineLengths } = await progressReadings(async () => (await statusBadge().innerText()).includes('Completed'));
  assert.ok(percents.some((p) => p > 0 && p < 100), `progress between 0 and 100 % was shown (saw ${percents.join(', ')})`);
  assert.ok(percents.length >= 3, `progress moved several times (saw ${percents.join(', ')})`);
  assert.deepEqual([...percents].sort((a, b) => a - b), percents, 'progress only goes forward');
  assert.equal(percents.at(-1), 100);
  await until('the timeline to reach Completed', async () => (await page.locator('[data-testid=timeline] > li').count()) === 3, 10_000);
  if (timelineLengths.at(-1) !== 3) timelineLengths.push(3);
  assert.ok(timelineLengths.length >= 2 && timelineLengths.at(-1)! > timelineLengths[0]!, `the timeline grew (${timelineLengths.join(' → ')})`);
  assert.equal(await page.evaluate(() => (window as unknown as { stayedOnPage?: boolean }).stayedOnPage), true, 'no reload happened');
  assert.deepEqual(await page.locator('[data-testid=timeline] > li .label').allInnerTexts(), ['Started', 'Generating', 'Completed']);

  const thumbs = page.locator('[data-testid=gallery] img');
  await until('four images in the gallery', async () => (await thumbs.count()) === 4, 15_000);
  await until('the thumbnails to load', () => thumbs.evaluateAll((images) => images.every((i) => (i as HTMLImageElement).naturalWidth > 0)), 15_000);
  await page.locator('[data-testid=progress-summary]', { hasText: '4 of 4 images done' }).waitFor();
  await shoot('05-job-completed');
  await assertAccessible('job page');

  await page.locator('[data-testid=gallery] button.thumb').first().click();
  const viewer = page.locator('dialog.viewer');
  await viewer.waitFor({ state: 'visible' });
  await until('the full-size image to load', () => viewer.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth === 1184));
  await shoot('06-image-viewer');
  await assertAccessible('image viewer');
  const [imageDownload] = await Promise.all([page.waitForEvent('download'), viewer.locator('a:has-text("Download")').click()]);
  assert.match(imageDownload.suggestedFilename(), /\.png$/);
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'hidden' });

  const rows = page.locator('[data-testid=event-log] > li');
  const infoRows = await rows.count();
  await page.selectOption('#log-level', 'debug');
  assert.ok((await rows.count()) > infoRows, 'the debug level adds the progress events');
  await page.selectOption('#log-level', 'error');
  await page.getByText('No events at this level').waitFor();
  const [logDownload] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Download JSON lines")')]);
  assert.match(logDownload.suggestedFilename(), /\.events\.jsonl$/);
  const lines = fs.readFileSync(await logDownload.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.equal(lines[0]!.type, 'job.started');
  assert.equal(lines.at(-1)!.type, 'job.completed');
});

test('the jobs list shows a new job live; it pauses, resumes, and cancelling asks first and ends CANCELLED', async () => {
  await page.click('nav a:has-text("Jobs")');
  await waitForHeading('Jobs');
  await page.locator('.live', { hasText: 'Live' }).waitFor();
  const started = await stack.api<{ id: string }>('/api/generate', { method: 'POST', json: { prompt: 'a slow harbour at night', count: 8, title: 'Harbour to cancel' } });
  assert.equal(started.status, 202);
  const row = page.locator('li.job', { hasText: 'Harbour to cancel' });
  await row.waitFor();
  await row.locator('.badge', { hasText: 'Running' }).waitFor();
  const temporalLink = (await row.locator('a', { hasText: 'Temporal' }).getAttribute('href'))!;
  assert.match(temporalLink, new RegExp(`/workflows/${started.body.id}$`));
  assert.equal((await fetch(temporalLink)).status, 200, 'Temporal Web answers at the link');
  await shoot('07-jobs-live');
  await assertAccessible('jobs list');

  await row.locator(`a[href="/jobs/${started.body.id}"]`).click();
  await waitForHeading('Harbour to cancel');
  await page.locator('[data-testid=current-step]').waitFor();

  await page.click('button:has-text("Pause")');
  await page.locator('.page-head .badge', { hasText: 'Paused' }).waitFor();
  await page.locator('[data-testid=timeline] > li .label', { hasText: /^Paused$/ }).waitFor();
  await page.click('button:has-text("Resume")');
  await page.locator('.page-head .badge', { hasText: 'Running' }).waitFor();
  await page.locator('[data-testid=timeline] > li .label', { hasText: 'Paused, then resumed' }).waitFor();

  await page.click('button:has-text("Cancel job")');
  const dialog = page.locator('dialog[open]', { hasText: 'Cancel this job?' });
  await dialog.waitFor();
  await shoot('08-cancel-confirmation');
  await assertAccessible('cancel confirmation');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.match(await statusBadge().innerText(), /Running/, 'Esc keeps the job running');

  await page.click('button:has-text("Cancel job")');
  await dialog.locator('button:has-text("Cancel job")').click();
  await page.locator('.page-head .badge', { hasText: 'Cancelled' }).waitFor();
  await page.locator('[data-testid=timeline] > li .label', { hasText: /^Cancelled$/ }).waitFor();
  assert.equal(await page.locator('[role=group][aria-label="Job controls"]').count(), 0, 'an ended job has no controls');
  await shoot('09-job-cancelled');

  await page.click('nav a:has-text("Jobs")');
  await page.selectOption('#filter-status', 'CANCELLED');
  await page.waitForURL(/status=CANCELLED/);
  await until('only the cancelled job listed', async () => (await page.locator('li.job').allInnerTexts()).length === 1 && (await page.locator('li.job').innerText()).includes('Harbour to cancel'));
  await page.locator('#filter-q').pressSequentially('lighthouse', { delay: 40 });
  await page.getByText('No jobs match these filters').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'filter-q', 'typing a search keeps focus in the box');
  assert.match(page.url(), /status=CANCELLED&q=lighthouse|q=lighthouse.*status=CANCELLED|status=CANCELLED.*q=lighthouse/);
  await page.click('button:has-text("Clear filters")');
  await until('both jobs listed again', async () => (await page.locator('li.job').count()) === 2);
});

test('reloading the job page mid-run replays the log and the timeline still completes', async () => {
  const started = await stack.api<{ id: string }>('/api/generate', { method: 'POST', json: { prompt: 'a windmill in the rain', count: 4 } });
  await page.goto(`${stack.apiUrl}/jobs/${started.body.id}`);
  await page.locator('[data-testid=current-step]').waitFor();
  const before = Number((await page.locator('[data-testid=progress-summary] strong').innerText()).replace(/\D/g, ''));
  assert.ok(before < 100, 'still running before the reload');
  await page.reload();
  await page.locator('.page-head .badge', { hasText: 'Completed' }).waitFor({ timeout: 60_000 });
  assert.deepEqual(await page.locator('[data-testid=timeline] > li .label').allInnerTexts(), ['Started', 'Generating', 'Completed']);
  await until('four images after the reload', async () => (await page.locator('[data-testid=gallery] img').count()) === 4);
  await page.selectOption('#log-level', 'debug');
  const firstLogged = await page.locator('[data-testid=event-log] > li').first().innerText();
  assert.match(firstLogged, /job\.started/, 'the log was replayed from the first event');
});

test('when the API drops the live connection, the job page says so and catches up without gaps or repeats', async () => {
  const started = await stack.api<{ id: string }>('/api/generate', { method: 'POST', json: { prompt: 'a lantern in the fog', count: 4 } });
  await page.goto(`${stack.apiUrl}/jobs/${started.body.id}`);
  await page.locator('[data-testid=current-step]').waitFor();
  const pid = stack.supervisor.kill('api');
  await page.getByText('The live connection dropped').waitFor();
  await stack.supervisor.waitForRestart('api', pid);
  await page.locator('.page-head .badge', { hasText: 'Completed' }).waitFor({ timeout: 60_000 });
  await page.getByText('The live connection dropped').waitFor({ state: 'detached' });
  assert.deepEqual(await page.locator('[data-testid=timeline] > li .label').allInnerTexts(), ['Started', 'Generating', 'Completed']);
  await until('four images after reconnecting', async () => (await page.locator('[data-testid=gallery] img').count()) === 4);
  await page.selectOption('#log-level', 'debug');
  const all = await stack.api<string>(`/api/jobs/${started.body.id}/events.jsonl`);
  const expected = String(all.body).trim().split('\n').length;
  assert.equal(await page.locator('[data-testid=event-log] > li').count(), expected, 'every event once');
});

test('Redraw on an image opens the form with it as the source, and the new job keeps its size', async () => {
  await page.goto(firstJobUrl);
  const redraw = page.locator('[data-testid=gallery] a', { hasText: 'Redraw' }).first();
  await redraw.click();
  await waitForHeading('Generate');
  await page.locator('img[alt="The source to redraw"]').waitFor();
  await page.fill('#prompt', 'the same lighthouse under snow');
  await page.fill('#denoise', '0.4');
  await shoot('04c-generate-redraw');
  await assertAccessible('generate from a source image');
  await page.click('button:has-text("Generate 1 image")');
  await page.waitForURL(/\/jobs\/generate-[0-9a-f-]+$/);
  await page.locator('.page-head .badge', { hasText: 'Completed' }).waitFor({ timeout: 60_000 });
  const id = decodeURIComponent(page.url().split('/').pop()!);
  const job = await stack.api<{ job: { inputSummary: Record<string, unknown> }; assets: { width: number; height: number }[] }>(`/api/jobs/${id}`);
  assert.equal(job.body.job.inputSummary.template, 'img2img');
  assert.equal(job.body.job.inputSummary.denoise, 0.4);
  assert.deepEqual([job.body.assets[0]!.width, job.body.assets[0]!.height], [1184, 888], 'the 4:3 source size was kept');
});

test('the SDXL options: a toggle the pool cannot run says why and cannot be turned on; Upscale doubles the image', async () => {
  const packs = `${stack.pools.demo}/__standin/node-packs`;
  await fetch(packs, { method: 'POST', body: JSON.stringify({ without: ['ComfyUI-Impact-Pack'] }) });
  try {
    await page.goto(`${stack.apiUrl}/generate`);
    await waitForHeading('Generate');
    const face = page.locator('#param-faceDetailer');
    await page.locator('#param-faceDetailer-reason').waitFor();
    assert.equal(await face.isDisabled(), true, 'the face detailer cannot be turned on');
    assert.equal(await page.locator('#param-faceDetailer-reason').innerText(),
      'Not available on this pool: Face detailer needs node type "FaceDetailer", which ComfyUI on pool demo lacks: install ComfyUI Impact Pack on pool demo');
    assert.match((await face.getAttribute('aria-describedby'))!, /param-faceDetailer-reason/, 'screen readers hear the reason');
    for (const toggle of ['controlnet', 'ipAdapter', 'upscale']) assert.equal(await page.locator(`#param-${toggle}`).isDisabled(), false, toggle);

    await page.fill('#prompt', 'a lighthouse, upscaled');
    await page.check('input[name=aspect][value="1:1"]');
    await page.check('input[name=quality][value="draft"]');
    await page.check('#param-controlnet');
    await page.locator('#param-controlImage').waitFor();
    await shoot('04d-generate-options');
    await assertAccessible('generate, options');
    await page.click('button:has-text("Generate 1 image")');
    await page.getByText('Control image needs an image').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'param-controlImage', 'focus goes to the missing image');
    await page.uncheck('#param-controlnet');
    await page.check('#param-upscale');
    assert.equal(await page.locator('[data-testid=options-on]').innerText(), 'Upscale');
    await page.click('button:has-text("Generate 1 image")');
    await page.waitForURL(/\/jobs\/generate-[0-9a-f-]+$/);
    await page.locator('.page-head .badge', { hasText: 'Completed' }).waitFor({ timeout: 60_000 });
    const id = decodeURIComponent(page.url().split('/').pop()!);
    const job = await stack.api<{ job: { inputSummary: Record<string, unknown> }; assets: { width: number; height: number }[] }>(`/api/jobs/${id}`);
    assert.deepEqual(job.body.job.inputSummary.params, { upscale: true });
    assert.deepEqual([job.body.assets[0]!.width, job.body.assets[0]!.height], [2048, 2048], 'the demo 2× model upscaled the 1024² image');
  } finally {
    await fetch(packs, { method: 'POST', body: JSON.stringify({ without: [] }) });
  }
});

test("a user's template builds the form from its own parameters, with the pool's limits and choices", async () => {
  await page.goto(`${stack.apiUrl}/generate`);
  await waitForHeading('Generate');
  await page.click('details.advanced summary');
  await page.locator('#template option[value="poster"]').waitFor({ state: 'attached' });
  await page.selectOption('#template', 'poster');
  await page.locator('h2', { hasText: 'Poster: parameters' }).waitFor();
  assert.equal(await page.locator('input[name=aspect]').count(), 0, 'the built-in size presets give way to the template\'s own');
  assert.equal(await page.locator('#steps').count(), 0);
  await page.waitForFunction(() => document.getElementById('param-passes')?.getAttribute('min') === '1');
  assert.equal(await page.getAttribute('#param-passes', 'max'), '50', "the manifest's maximum");
  assert.equal(await page.getAttribute('#param-passes', 'min'), '1', "ComfyUI's minimum for KSampler steps");
  const samplers = await page.locator('#param-sampler option').allInnerTexts();
  assert.ok(samplers.includes('dpmpp_2m') && samplers.includes('euler'), 'the choices are the server\'s');
  await page.fill('#prompt', 'a poster of a lighthouse');
  await page.fill('#param-mood', 'muddy colours');
  await page.fill('#param-passes', '70');
  await page.click('button:has-text("Generate 1 image")');
  await page.getByText('Sampling passes must be 1 to 50.').waitFor();
  await shoot('04e-generate-user-template');
  await assertAccessible('generate, a user template');
  await page.fill('#param-passes', '3');
  await page.selectOption('#param-sampler', 'dpmpp_2m');
  await page.fill('#param-side', '192');
  await page.click('button:has-text("Generate 1 image")');
  await page.waitForURL(/\/jobs\/generate-[0-9a-f-]+$/);
  await page.locator('.page-head .badge', { hasText: 'Completed' }).waitFor({ timeout: 60_000 });
  const id = decodeURIComponent(page.url().split('/').pop()!);
  const job = await stack.api<{ job: { inputSummary: Record<string, unknown> }; assets: { width: number; height: number }[] }>(`/api/jobs/${id}`);
  assert.equal(job.body.job.inputSummary.template, 'poster');
  assert.deepEqual(job.body.job.inputSummary.params, { mood: 'muddy colours', passes: 3, guidance: 6, sampler: 'dpmpp_2m', side: 192 });
  assert.deepEqual([job.body.assets[0]!.width, job.body.assets[0]!.height], [192, 192]);
});

test('a failed job says what went wrong and what to do about it', async () => {
  const faults = `${stack.pools.demo}/__standin/faults`;
  await fetch(faults, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failClass: 'KSampler', message: 'CUDA out of memory' }) });
  try {
    const started = await stack.api<{ id: string }>('/api/generate', { method: 'POST', json: { prompt: 'too big for the GPU', title: 'Out of memory' } });
    await page.goto(`${stack.apiUrl}/jobs/${started.body.id}`);
    await page.locator('.page-head .badge', { hasText: 'Failed' }).waitFor({ timeout: 60_000 });
    const explained = page.locator('[role=alert]', { hasText: 'This job failed' });
    await explained.waitFor();
    assert.match(await explained.innerText(), /CUDA out of memory/);
    assert.match(await explained.innerText(), /What to do:.*(smaller|fewer)/s);
    await page.locator('[data-testid=timeline] > li .label', { hasText: /^Failed$/ }).waitFor();
    await shoot('10-job-failed');
    await assertAccessible('failed job');
    const [bundle] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=debug-bundle]')]);
    assert.equal(bundle.suggestedFilename(), `atelier-debug-${started.body.id}.zip`);
    const entries = await readZip(fs.readFileSync(await bundle.path()));
    assert.deepEqual(entries.slice(0, 4).map((e) => e.name), ['README.txt', 'job.json', 'events.jsonl', 'workflow-history.json']);
    assert.match(entries[0]!.data.toString('utf8'), /First error:\n\s+ComfyUI failed at node 3 \(KSampler\): CUDA out of memory/);
    assert.ok(!entries.some((e) => e.data.toString('utf8').includes(stack.token)), 'the API token is not in the bundle');
  } finally {
    await fetch(faults, { method: 'DELETE' });
  }
});

test('a job terminated in Temporal turns Cancelled live and its page says who terminated it and why', { timeout: 120_000 }, async () => {
  await stack.api('/api/pools/demo/pause', { method: 'POST', json: { reason: 'terminate in the browser' } });
  try {
    const started = await stack.api<{ id: string }>('/api/generate', { method: 'POST', json: { prompt: 'stopped from Temporal', title: 'Terminated' } });
    await page.goto(`${stack.apiUrl}/jobs/${started.body.id}`);
    await page.locator('[role=status], .notice', { hasText: 'Waiting for GPU pool demo' }).first().waitFor({ timeout: 30_000 });
    execFileSync(findTemporalCli()!, ['workflow', 'terminate', '--address', stack.temporalAddress, '--workflow-id', started.body.id, '--reason', 'wrong prompt, stopped by ops']);
    // the main worker records it within its look (15 s); the page hears it on its live stream, no reload
    await page.locator('.page-head .badge', { hasText: 'Cancelled' }).waitFor({ timeout: 45_000 });
    const notice = page.getByText(/^By temporal-cli:\S+: wrong prompt, stopped by ops\./);
    await notice.waitFor();
    await page.getByText('Terminated in Temporal by temporal-cli', { exact: false }).last().waitFor();
    await assertAccessible('terminated job');
  } finally {
    await stack.api('/api/pools/demo/resume', { method: 'POST', json: {} });
  }
});

test('the health page lists Temporal, the database and the demo GPU pool with its worker', async () => {
  await page.click('nav a:has-text("Health")');
  await waitForHeading('Health');
  const pool = page.locator('article', { hasText: 'Pool demo' });
  await pool.waitFor();
  assert.match(await pool.innerText(), /demo/i);
  // its GPU worker polled within the last long poll: listed as polling, not as stopped
  assert.match(await pool.innerText(), /\d+@\S+\s·\spolled /);
  assert.doesNotMatch(await pool.innerText(), /last polled|No worker/);
  await page.locator('article', { hasText: 'Temporal' }).locator('a', { hasText: 'Temporal Web' }).waitFor();
  await page.locator('article', { hasText: 'Database' }).waitFor();
  await shoot('11-health');
  await assertAccessible('health');
});

test('every page fits a phone screen', async () => {
  await page.setViewportSize({ width: 375, height: 812 });
  for (const [name, url, title] of [['jobs', '/jobs', 'Jobs'], ['generate', '/generate', 'Generate'], ['job', new URL(firstJobUrl).pathname, 'a lighthouse'], ['health', '/health', 'Health']] as const) {
    await page.goto(`${stack.apiUrl}${url}`);
    await waitForHeading(title);
    if (name === 'job') await page.locator('[data-testid=gallery] img').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} page is ${overflow}px wider than the phone`);
    await shoot(`12-phone-${name}`);
    await assertAccessible(`${name} (phone)`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('signing out returns to the sign-in page and ends the session', async () => {
  await page.goto(`${stack.apiUrl}/jobs`);
  await waitForHeading('Jobs');
  await page.click('button:has-text("Sign out")');
  await waitForHeading('Sign in to Atelier');
  assert.equal((await context.cookies()).some((c) => c.name === 'atelier_session'), false);
  await page.goto(`${stack.apiUrl}/generate`);
  await waitForHeading('Sign in to Atelier');
  assert.match(await heading(), /Sign in/);
  assert.deepEqual(pageErrors, [], 'no script errors in the page');
});
