// The scene pipeline end to end on the real stack (Temporal dev server, PostgreSQL, workers, API) with the OpenAI and
// ComfyUI stand-ins: plans, failing checks and reviews, masks, ANALYZE notes, background removal, a killed worker,
// planner faults, pause and cancel, a rejected plan, exports, the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import crypto from 'node:crypto';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { waitForStatus, waitForEvent, jobEvents, promptIdsOf, standinLog } from '../support/jobs.ts';
import { findTemporalCli } from '../../infra/local/temporal-cli.ts';
import { readZip } from '../support/zip.ts';
import type { SceneState } from '../../workflows/scene-state.ts';

let stack: TestStack;
before(async () => { stack = await startTestStack({ comfyStepMs: 5 }); });
after(async () => { await stack?.stop(); });

const W = 160;
const H = 120;
/** a red square on a green field: one object for the planner to take apart */
const picture = () => sharp({ create: { width: W, height: H, channels: 3, background: '#3c9c46' } })
  .composite([{ input: { create: { width: 40, height: 40, channels: 3, background: '#c82828' } }, left: 30, top: 30 }]).png().toBuffer();

async function upload(bytes: Buffer, name = 'scene.png', fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('files', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
  return stack.api('/api/uploads', { method: 'POST', body: form });
}

async function startScene(body: Record<string, unknown>): Promise<string> {
  const image = body.image ?? (await upload(await picture())).body.uploads[0].id;
  const response = await stack.api('/api/scenes', { method: 'POST', json: { ...body, image } });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.id;
}

const stateOf = async (id: string) => (await stack.api(`/api/jobs/${id}`)).body.state as SceneState;
const awaiting = (id: string, stepId: string) => until(`${stepId} of ${id} to await review`, async () => (await stateOf(id))?.awaitingReview.find((r) => r.stepId === stepId));
const review = (id: string, body: Record<string, unknown>) => stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: body });
const llmRequests = () => fs.readFileSync(path.join(stack.dataDir, 'llm', 'openai-requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const llmControl = (route: string, body?: unknown) => fetch(stack.llmUrl.replace(/\/v1$/, '') + route, { method: body === undefined ? 'DELETE' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

async function download(id: string, format: 'zip' | 'ora') {
  const response = await fetch(`${stack.apiUrl}/api/scenes/${id}/export?format=${format}`, { headers: { authorization: `Bearer ${stack.token}` } });
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(response.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="?[^"]+\\.${format}"?$`));
  return readZip(Buffer.from(await response.arrayBuffer()));
}

test('a three-step plan runs to done: extract, clean plate, reframe to 16:9; the ZIP and the .ora place every layer', async () => {
  const id = await startScene({ instructions: 'Take it apart and reframe it to 16:9' });
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 120_000);
  const state = await stateOf(id);
  assert.equal(state.status, 'COMPLETED', state.error);
  assert.deepEqual(state.steps.map((s) => [s.id, s.type, s.status]), [['extract-red', 'EXTRACT', 'done'], ['remove-red', 'REMOVE', 'done'], ['reframe', 'REFRAME', 'done']]);
  for (const step of state.steps) assert.ok(step.history[0]!.metrics.every((m) => m.pass), `${step.id}: ${JSON.stringify(step.history[0]!.metrics)}`);
  assert.deepEqual(state.canvas, { width: 213, height: 120 });

  const zip = await download(id, 'zip');
  assert.deepEqual(zip.map((e) => e.name), ['manifest.json', 'layers/01-the-red-shape-extract-red.png', 'plate.png', 'source.png']);
  const manifest = JSON.parse(zip[0]!.data.toString());
  assert.deepEqual(manifest.steps.map((s: any) => [s.id, s.attempts.length, s.attempts[0].prompt]), state.steps.map((s) => [s.id, 1, s.plan.prompt]));
  assert.ok(manifest.steps[0].attempts[0].metrics.find((m: any) => m.name === 'coverage'));

  const ora = await download(id, 'ora');
  const stackXml = ora.find((e) => e.name === 'stack.xml')!.data.toString();
  assert.match(stackXml, /<image version="0.0.5" w="213" h="120"/);
  // the layer made before the reframe sits where the original now is
  assert.match(stackXml, /name="the red shape \(extract-red\)" src="data\/layer01.png" x="26" y="0"/);
  assert.match(stackXml, /name="Background \(clean plate\)" src="data\/layer02.png" x="0" y="0"/);
  const layer = await sharp(ora.find((e) => e.name === 'data/layer01.png')!.data).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([layer.info.width, layer.info.height, layer.info.channels], [W, H, 4]);
  // the red square is opaque, the white around it transparent
  assert.equal(layer.data[(50 * W + 50) * 4 + 3], 255);
  assert.equal(layer.data[(5 * W + 5) * 4 + 3], 0);
});

let reviewedId = '';

test('plan review: an edited prompt is what the backend gets; a failing check waits with its metrics; a retry through the API passes once', async () => {
  const id = reviewedId = await startScene({ reviewPlan: true, autoRetries: 0 });
  const planReview = await awaiting(id, 'plan');
  assert.equal(planReview.kind, 'plan');
  const plan = structuredClone((planReview.detail as any).plan);
  assert.deepEqual(plan.steps.map((s: any) => s.id), ['extract-red', 'remove-red']);
  plan.steps[0].prompt = 'The purple shape alone on a plain white background';
  const refused = await review(id, { stepId: 'plan', decision: 'approve', decisionId: 'plan-bad', edits: { plan: { ...plan, steps: [{ ...plan.steps[1] }] } } });
  assert.equal(refused.status, 409);
  assert.match(refused.body.error, /AUTO mask comes from an earlier EXTRACT or BG_REMOVE layer/);
  assert.equal((await review(id, { stepId: 'plan', decision: 'approve', decisionId: 'plan-ok', edits: { plan } })).status, 200);

  const failed = await awaiting(id, 'extract-red');
  assert.match(failed.reason, /failed its check/);
  const coverage = failed.metrics!.find((m) => m.name === 'coverage')!;
  assert.equal(coverage.value, 0);
  assert.equal(coverage.pass, false);
  assert.deepEqual(failed.decisions, ['retry', 'mask', 'bg-remove', 'accept', 'skip']);
  assert.equal(failed.suggestedPrompt, plan.steps[0].variations[0], 'the retry is pre-filled with the next unused variation');
  const edits = llmRequests().filter((r) => r.route === 'images.edits');
  assert.equal(edits.at(-1).prompt, 'The purple shape alone on a plain white background');

  const elsewhere = await review(id, { stepId: 'remove-red', decision: 'retry', prompt: 'x' });
  assert.equal(elsewhere.status, 409);
  assert.match(elsewhere.body.error, /step "remove-red" is not awaiting a review: the steps awaiting one are extract-red/);

  const decision = { stepId: 'extract-red', decision: 'retry', decisionId: 'retry-1', prompt: 'The red shape alone on a plain white background' };
  const [first, second] = [await review(id, decision), await review(id, decision)];
  assert.equal(first.status, 200);
  assert.equal(second.status, 200, 'the same decision id again is answered, not refused');
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 120_000);
  const state = await stateOf(id);
  assert.equal(state.status, 'COMPLETED', state.error);
  const step = state.steps[0]!;
  assert.deepEqual(step.history.map((a) => [a.n, a.origin, a.passed]), [[1, 'plan', false], [2, 'review', true]], 'one retry, not two');
  assert.deepEqual(step.history[0]!.decision && [step.history[0]!.decision.decision, step.history[0]!.decision.source, step.history[0]!.decision.decisionId], ['retry', 'api', 'retry-1']);
  assert.equal(state.reviews!.filter((r) => r.decisionId === 'retry-1').length, 1);

  const ora = await download(id, 'ora');
  assert.equal(ora[0]!.name, 'mimetype');
  assert.equal(ora[0]!.compressionMethod, 0, 'mimetype is stored, not deflated');
  assert.equal(ora[0]!.data.toString(), 'image/openraster');
  const xml = ora.find((e) => e.name === 'stack.xml')!.data.toString();
  const sources = [...xml.matchAll(/<layer name="([^"]+)" src="([^"]+)"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(sources.map(([name]) => name), ['the red shape (extract-red)', 'Background (clean plate)', 'Original']);
  for (const [, src] of sources) {
    const meta = await sharp(ora.find((e) => e.name === src)!.data).metadata();
    assert.deepEqual([meta.width, meta.height], [W, H], `${src} has the source's size`);
  }
  for (const name of ['mergedimage.png', 'Thumbnails/thumbnail.png']) assert.ok(ora.some((e) => e.name === name), name);
  const thumb = await sharp(ora.find((e) => e.name === 'Thumbnails/thumbnail.png')!.data).metadata();
  assert.ok(thumb.width! <= 256 && thumb.height! <= 256);
});

test('a manual mask: one of the wrong size is refused at upload and at review; the right one reaches the backend', async () => {
  const id = await startScene({ reviewPlan: true });
  const plan = structuredClone(((await awaiting(id, 'plan')).detail as any).plan);
  plan.steps = [{ ...plan.steps[1], id: 'remove-red', mask: 'MANUAL' }];
  assert.equal((await review(id, { stepId: 'plan', decision: 'approve', edits: { plan } })).status, 200);
  const request = await awaiting(id, 'remove-red');
  assert.deepEqual(request.decisions, ['mask', 'skip']);
  assert.equal(request.maskFor!.width, W);

  const maskPng = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#000000' } })
    .composite([{ input: { create: { width: 50, height: 50, channels: 3, background: '#ffffff' } }, left: 25, top: 25 }]).png().toBuffer();
  const assetsBefore = (await stack.sql`SELECT count(*)::int AS n FROM assets`)[0]!.n;
  const wrong = await upload(await maskPng(100, 80), 'mask.png', { maskFor: request.maskFor!.assetId });
  assert.equal(wrong.status, 400);
  assert.match(wrong.body.error, /"mask.png" is 100 × 80 pixels, but a mask for a_[0-9a-f]{24} must be 160 × 120/);
  assert.equal((await stack.sql`SELECT count(*)::int AS n FROM assets`)[0]!.n, assetsBefore, 'nothing stored');
  assert.deepEqual(fs.readdirSync(path.join(stack.dataDir, 'tmp', 'uploads')), [], 'no temp file left');
  const unchecked = await upload(await maskPng(100, 80), 'other.png');
  const atReview = await review(id, { stepId: 'remove-red', decision: 'mask', maskAssetId: unchecked.body.uploads[0].id });
  assert.equal(atReview.status, 409);
  assert.match(atReview.body.error, /the mask is 100 × 80 pixels but the step's image is 160 × 120/);

  const good = await upload(await maskPng(W, H), 'mask.png', { maskFor: request.maskFor!.assetId });
  assert.equal(good.status, 201, JSON.stringify(good.body));
  assert.equal((await review(id, { stepId: 'remove-red', decision: 'mask', maskAssetId: good.body.uploads[0].id, prompt: 'Remove the red shape and fill in the background' })).status, 200);
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 60_000);
  const state = await stateOf(id);
  assert.equal(state.status, 'COMPLETED', state.error);
  assert.equal(state.steps[0]!.history[0]!.mask, 'MANUAL');
  const edit = llmRequests().filter((r) => r.route === 'images.edits' && r.prompt === 'Remove the red shape and fill in the background').at(-1);
  assert.equal(edit.maskArea, 50 * 50, 'the backend got the drawn area as its edit mask');
});

test('the main worker killed with SIGKILL while a step awaits review: after its restart the review goes through and the job completes', async () => {
  const id = await startScene({ review: 'all' });
  await awaiting(id, 'extract-red');
  const pid = stack.supervisor.kill('worker-main', 'SIGKILL');
  await stack.supervisor.waitForRestart('worker-main', pid);
  const approved = await review(id, { stepId: 'extract-red', decision: 'approve', decisionId: 'after-kill' });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  await awaiting(id, 'remove-red');
  assert.equal((await review(id, { stepId: 'remove-red', decision: 'approve' })).status, 200);
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 60_000);
  assert.equal((await stateOf(id)).status, 'COMPLETED');
});

test('the planner: a 429 with Retry-After is waited out; malformed JSON three times makes the plan wait with the error in words', async () => {
  await llmControl('/__standin/faults', { kind: 'rate-limit', retryAfter: 1 });
  await llmControl('/__standin/faults', { kind: 'malformed-json', times: 3 });
  const id = await startScene({});
  const request = await awaiting(id, 'plan');
  assert.match(request.reason, /The planner could not give a usable plan: the LLM's scene plan did not fit the expected format after 3 tries: the reply is not JSON/);
  assert.deepEqual(request.decisions, ['retry', 'approve', 'reject']);
  const notices = (await jobEvents(stack, id)).filter((e) => e.type === 'llm.notice').map((e) => String(e.data.message));
  assert.ok(notices.some((n) => /rate-limiting; trying again in 1 s \(as its Retry-After asks\)/.test(n)), notices.join('\n'));
  assert.equal((await review(id, { stepId: 'plan', decision: 'retry', prompt: 'Only the red square, please' })).status, 200);
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 60_000);
  const state = await stateOf(id);
  assert.equal(state.status, 'COMPLETED', state.error);
  assert.deepEqual(state.planAttempts.map((a) => a.ok), [false, true]);
  assert.equal(state.planAttempts[1]!.guidance, 'Only the red square, please');
});

test('the ComfyUI backend: RMBG extracts and cuts out, the inpaint graph makes the clean plate, the outpaint graph reframes', async () => {
  const id = await startScene({ backend: 'comfyui', instructions: 'layers, a transparent cut-out, and reframe to 16:9' });
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 120_000);
  const state = await stateOf(id);
  assert.equal(state.status, 'COMPLETED', state.error);
  assert.deepEqual(state.steps.map((s) => [s.id, s.status, s.history.length]), [['extract-red', 'done', 1], ['remove-red', 'done', 1], ['cutout', 'done', 1], ['reframe', 'done', 1]]);
  for (const step of state.steps) assert.ok(step.history[0]!.passed, `${step.id}: ${JSON.stringify(step.history[0]!.metrics)}`);
  const queued = (await jobEvents(stack, id)).filter((e) => e.type === 'comfy.queued');
  assert.equal(queued.length, 4, 'one prompt per step at ComfyUI');
  const cutout = await sharp(fs.readFileSync(path.join(stack.dataDir, state.steps[2]!.assets[0]!.path))).metadata();
  assert.equal(cutout.hasAlpha, true, 'BG_REMOVE keeps its transparency');
  assert.deepEqual(state.canvas, { width: 216, height: 120 }, 'borders in steps of 8 for ComfyUI');
});

test('ANALYZE: its description reaches every later prompt; "remove the background and retry" cuts the subject out, then extracts from the cut-out', async () => {
  const id = await startScene({ instructions: 'Analyze the picture, then take it apart', reviewPlan: true, autoRetries: 0 });
  const plan = structuredClone(((await awaiting(id, 'plan')).detail as any).plan);
  assert.deepEqual(plan.steps.map((s: any) => [s.id, s.type]), [['analyze', 'ANALYZE'], ['extract-red', 'EXTRACT'], ['remove-red', 'REMOVE']]);
  // a colour the picture lacks (named before the notes' colours, which the stand-in's editor would follow too)
  plan.steps[1].prompt = 'The black shape alone on a plain white background';
  assert.equal((await review(id, { stepId: 'plan', decision: 'approve', edits: { plan } })).status, 200);

  const failed = await awaiting(id, 'extract-red');
  assert.ok(failed.decisions.includes('bg-remove'), failed.decisions.join());
  const analysis = (await stateOf(id)).steps[0]!;
  assert.deepEqual([analysis.status, analysis.history.length, analysis.history[0]!.passed], ['done', 1, true]);
  const notes = analysis.history[0]!.notes!;
  assert.match(notes, /with a red shape on green\. Objects: red shape at \d+\/\d+\/\d+\/\d+%\.$/, 'what the vision LLM answered, in words');
  assert.ok(llmRequests().some((r) => r.route === 'chat' && r.generator === 'scene-analysis' && r.status === 200), 'the analysis was asked as scene_analysis');
  // multipart form fields carry line breaks as CRLF (FormData's rule), so the prompt is compared with \n line breaks
  const sent = () => llmRequests().filter((r) => r.route === 'images.edits').map((r) => ({ ...r, prompt: String(r.prompt).replace(/\r\n/g, '\n') }) as { prompt: string; background: string | null; image: string });
  assert.equal(sent().at(-1)!.prompt, `The black shape alone on a plain white background\nScene notes: ${notes}`);

  assert.equal((await review(id, { stepId: 'extract-red', decision: 'bg-remove', prompt: 'The red shape alone on a plain white background' })).status, 200);
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 60_000);
  const state = await stateOf(id);
  assert.equal(state.status, 'COMPLETED', state.error);
  const [first, second] = state.steps[1]!.history;
  assert.equal(first!.decision!.decision, 'bg-remove');
  assert.deepEqual([second!.origin, second!.bgRemoved, second!.passed, second!.prompt], ['review', true, true, 'The red shape alone on a plain white background']);
  const [nobg] = await stack.sql`SELECT relative_path FROM assets WHERE job_id = ${id} AND relative_path LIKE '%/extract-red-2-nobg.png'`;
  assert.ok(nobg, 'the cut-out flattened on white is kept with the job');
  const flattened = fs.readFileSync(path.join(stack.dataDir, nobg.relative_path));
  const pixels = await sharp(flattened).raw().toBuffer();
  assert.deepEqual([...pixels.subarray((5 * W + 5) * 3, (5 * W + 5) * 3 + 3)], [255, 255, 255], 'the background was removed');
  assert.deepEqual([...pixels.subarray((50 * W + 50) * 3, (50 * W + 50) * 3 + 3)], [200, 40, 40], 'the subject kept');
  const cut = sent().findIndex((r) => r.prompt === 'the red shape with the background removed (transparent background)');
  assert.ok(cut >= 0, 'the backend was asked to remove the background');
  assert.equal(sent()[cut]!.background, 'transparent');
  const extract = sent()[cut + 1]!;
  assert.equal(extract.prompt, `The red shape alone on a plain white background\nScene notes: ${notes}`);
  assert.equal(extract.image, crypto.createHash('sha256').update(flattened).digest('hex'), 'the extraction got the cut-out, not the source');
  assert.ok(sent().some((r) => r.prompt === `${plan.steps[2].prompt}\nScene notes: ${notes}`), 'the later REMOVE got the notes too');
});

test('pause holds the steps until resume; cancel while a step awaits review ends the job CANCELLED and withdraws the review', async () => {
  const id = await startScene({ reviewPlan: true });
  await awaiting(id, 'plan');
  assert.equal((await stack.api(`/api/jobs/${id}/pause`, { method: 'POST' })).status, 202);
  await until('the pause to take effect', async () => (await stateOf(id)).paused === true);
  assert.equal((await review(id, { stepId: 'plan', decision: 'approve' })).status, 200, 'a paused job still takes decisions');
  await until('the plan to be taken', async () => (await stateOf(id)).steps.length === 2);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const held = await stateOf(id);
  assert.deepEqual(held.steps.map((s) => [s.id, s.history.length]), [['extract-red', 0], ['remove-red', 0]], 'no step ran while paused');
  assert.equal((await stack.sql`SELECT count(*)::int AS n FROM events WHERE job_id = ${id} AND type = 'asset.created' AND data->>'step' <> 'source'`)[0]!.n, 0);
  assert.equal((await stack.sql`SELECT status FROM jobs WHERE id = ${id}`)[0]!.status, 'PAUSED');
  assert.equal((await stack.api(`/api/jobs/${id}/resume`, { method: 'POST' })).status, 202);
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 60_000);
  assert.deepEqual((await stateOf(id)).steps.map((s) => s.status), ['done', 'done']);

  const other = await startScene({ review: 'all' });
  await awaiting(other, 'extract-red');
  assert.equal((await stack.api(`/api/jobs/${other}/cancel`, { method: 'POST' })).status, 202);
  const job = await waitForStatus(stack, other, ['COMPLETED', 'FAILED', 'CANCELLED'], 30_000);
  assert.equal(job.status, 'CANCELLED');
  const state = await stateOf(other);
  assert.deepEqual([state.status, state.stage, state.awaitingReview], ['CANCELLED', 'cancelled', []]);
  assert.deepEqual(state.steps.map((s) => s.status), ['cancelled', 'cancelled']);
  const late = await review(other, { stepId: 'extract-red', decision: 'approve' });
  assert.equal(late.status, 409);
  assert.match(late.body.error, /has ended \(CANCELLED\): there is nothing to review/);
  const described = execFileSync(findTemporalCli()!, ['workflow', 'describe', '--address', stack.temporalAddress, '--workflow-id', other, '--output', 'json'], { encoding: 'utf8' });
  assert.match(described, /WORKFLOW_EXECUTION_STATUS_CANCELED/);
});

test('cancel while a ComfyUI step samples interrupts its prompt at ComfyUI and the job ends CANCELLED', async () => {
  const comfy = Object.values(stack.pools)[0]!;
  const timing = (stepMs: number) => fetch(`${comfy}/__standin/timing`, { method: 'POST', body: JSON.stringify({ stepMs }) });
  const id = await startScene({ backend: 'comfyui', reviewPlan: true, instructions: 'reframe to 16:9' });
  const plan = structuredClone(((await awaiting(id, 'plan')).detail as any).plan);
  plan.steps = plan.steps.filter((s: any) => s.type === 'REFRAME');
  assert.equal(plan.steps.length, 1);
  await timing(300);
  try {
    assert.equal((await review(id, { stepId: 'plan', decision: 'approve', edits: { plan } })).status, 200);
    await waitForEvent(stack, id, 'progress');
    const [promptId] = await promptIdsOf(stack, id);
    assert.equal((await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' })).status, 202);
    const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 30_000);
    assert.equal(job.status, 'CANCELLED');
    await until('ComfyUI to report the interrupted prompt', async () => standinLog(stack).some((l) => l.event === 'executed' && l.prompt_id === promptId && l.outcome === 'interrupted'));
    assert.ok(standinLog(stack).some((l) => l.event === 'interrupt' && l.prompt_id === promptId && l.running === true), 'POST /interrupt named the running prompt');
    const state = await stateOf(id);
    assert.deepEqual(state.steps.map((s) => [s.id, s.status]), [['reframe', 'cancelled']]);
  } finally {
    await timing(5);
  }
});

test('bad scene input is refused in words', async () => {
  const missing = await stack.api('/api/scenes', { method: 'POST', json: { image: 'a_000000000000000000000000' } });
  assert.equal(missing.status, 400);
  assert.match(missing.body.error, /no image "a_000000000000000000000000": upload it first/);
  const bad = await stack.api('/api/scenes', { method: 'POST', json: { image: 'x', review: 'some', extra: 1 } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /unknown field "extra"/);
  const early = await stack.api(`/api/scenes/${reviewedId || 'scene-none'}/export?format=tar`);
  assert.equal(early.status, 400);
});

function atelier(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['cli/atelier.js', ...args], { env: { ...process.env, ATELIER_URL: stack.apiUrl, DATA_DIR: stack.dataDir, ATELIER_TOKEN: '' }, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

test('the CLI: scene start, review (retry, mask drawn on the step image, approve), scene show, scene export', async () => {
  const dir = fs.mkdtempSync(path.join(stack.dataDir, 'cli-'));
  fs.writeFileSync(path.join(dir, 'room.png'), await picture());
  const started = await atelier(['scene', 'start', path.join(dir, 'room.png'), '--review', 'all', '--title', 'CLI room']);
  assert.equal(started.code, 0, started.stderr);
  const id = /started (scene-\S+)/.exec(started.stdout)![1]!;
  await awaiting(id, 'extract-red');
  const retried = await atelier(['review', id, 'extract-red', 'retry', '--prompt', 'Isolate the red shape on solid white']);
  assert.equal(retried.code, 0, retried.stderr);
  await until('attempt 2 to await review', async () => (await stateOf(id)).steps[0]?.history.length === 2 && (await stateOf(id)).awaitingReview[0]);
  assert.equal((await atelier(['review', id, 'extract-red', 'approve'])).code, 0);
  await awaiting(id, 'remove-red');
  fs.writeFileSync(path.join(dir, 'small.png'), await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ffffff' } }).png().toBuffer());
  const small = await atelier(['review', id, 'remove-red', 'mask', path.join(dir, 'small.png')]);
  assert.equal(small.code, 1);
  assert.match(small.stderr, /"small.png" is 20 × 20 pixels, but a mask for a_[0-9a-f]{24} must be 160 × 120/);
  fs.writeFileSync(path.join(dir, 'mask.png'), await sharp({ create: { width: W, height: H, channels: 3, background: '#000000' } }).composite([{ input: { create: { width: 60, height: 60, channels: 3, background: '#ffffff' } }, left: 20, top: 20 }]).png().toBuffer());
  const masked = await atelier(['review', id, 'remove-red', 'mask', path.join(dir, 'mask.png'), '--prompt', 'Remove the red shape and fill in the background']);
  assert.equal(masked.code, 0, masked.stderr);
  await until('the masked attempt to await review', async () => (await stateOf(id)).steps[1]?.history.length === 2 && (await stateOf(id)).awaitingReview[0]);
  assert.equal((await atelier(['review', id, 'remove-red', 'approve'])).code, 0);
  await waitForStatus(stack, id, ['COMPLETED', 'FAILED'], 60_000);

  const shown = await atelier(['scene', 'show', id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /extract-red\s+EXTRACT\s+done \(attempt 2 kept\)/);
  assert.match(shown.stdout, /#1 plan\s+passed\s+→ retry \(cli\)/);
  const file = path.join(dir, 'out', 'room.ora');
  const exported = await atelier(['scene', 'export', id, '--format', 'ora', '-o', file]);
  assert.equal(exported.code, 0, exported.stderr);
  const entries = await readZip(fs.readFileSync(file));
  assert.equal(entries[0]!.name, 'mimetype');
  const state = await stateOf(id);
  assert.deepEqual(state.reviews!.map((r) => [r.stepId, r.decision, r.source]), [['extract-red', 'retry', 'cli'], ['extract-red', 'approve', 'cli'], ['remove-red', 'mask', 'cli'], ['remove-red', 'approve', 'cli']]);
});

/** the CLI as a running process: its output so far, and its end */
function atelierRunning(args: string[]) {
  const child = spawn(process.execPath, ['cli/atelier.js', ...args], { env: { ...process.env, ATELIER_URL: stack.apiUrl, DATA_DIR: stack.dataDir, ATELIER_TOKEN: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ended = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void ended.then(() => clearTimeout(timer));
  return { output: () => stdout, ended };
}

test('`atelier scene start --wait` prints each wait with its command; rejecting the plan fails the job in words and the CLI exits 1', async () => {
  const dir = fs.mkdtempSync(path.join(stack.dataDir, 'cli-wait-'));
  fs.writeFileSync(path.join(dir, 'room.png'), await picture());
  const run = atelierRunning(['scene', 'start', path.join(dir, 'room.png'), '--review-plan', '--wait']);
  const id = await until('the CLI to say it waits for the plan', async () => {
    const out = run.output();
    return out.includes('waiting for you: plan') ? /started (scene-\S+)/.exec(out)![1]! : undefined;
  });
  assert.match(run.output(), new RegExp(`atelier review ${id} plan approve\\|reject`), 'the wait says how to answer it');
  assert.equal((await review(id, { stepId: 'plan', decision: 'reject' })).status, 200);
  const ended = await run.ended;
  assert.equal(ended.code, 1, ended.stderr);
  assert.match(ended.stdout, /decided: plan reject \(api\)/);
  assert.match(ended.stderr, new RegExp(`scene ${id} failed: the plan was rejected \\(api\\)`));
  const job = await waitForStatus(stack, id, ['FAILED', 'COMPLETED', 'CANCELLED'], 10_000);
  assert.equal(job.status, 'FAILED');
  assert.match(job.error, /the plan was rejected \(api\)/);
  const state = await stateOf(id);
  assert.deepEqual([state.status, state.stage, state.awaitingReview, state.steps], ['FAILED', 'failed', [], []]);
});

test('`atelier scene start --wait` follows a scene to its end and exits 0 with the export command', async () => {
  const dir = fs.mkdtempSync(path.join(stack.dataDir, 'cli-done-'));
  fs.writeFileSync(path.join(dir, 'room.png'), await picture());
  const ended = await atelierRunning(['scene', 'start', path.join(dir, 'room.png'), '--wait', '--title', 'waited for']).ended;
  assert.equal(ended.code, 0, ended.stderr);
  const id = /started (scene-\S+)/.exec(ended.stdout)![1]!;
  const stages = [...ended.stdout.matchAll(/^stage (\S+)$/gm)].map((m) => m[1]);
  assert.deepEqual([...new Set(stages)], ['planning', 'running', 'exporting']);
  assert.match(ended.stdout, new RegExp(`done: atelier scene export ${id} --format ora -o ${id}\\.ora\\n$`));
  assert.equal((await stack.sql`SELECT status FROM jobs WHERE id = ${id}`)[0]!.status, 'COMPLETED');
});
