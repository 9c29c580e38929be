// The generate pipeline end to end on a real Temporal dev server and a real PostgreSQL, with the ComfyUI stand-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { startGenerate, waitForStatus, jobEvents, waitForEvent, standinLog, promptIdsOf, assertEachImageOnce } from '../support/jobs.ts';
import { findTemporalCli } from '../../infra/local/temporal-cli.ts';

let stack: TestStack;
before(async () => {
  const templates = fs.mkdtempSync(path.join(os.tmpdir(), 'user-templates-'));
  const graph = { '1': { class_type: 'UpscaleWithMagic', inputs: { factor: 2 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } } };
  fs.writeFileSync(path.join(templates, 'magic.json'), JSON.stringify(graph));
  fs.writeFileSync(path.join(templates, 'magic.manifest.json'), JSON.stringify({ parameters: { prompt: { type: 'string', targets: [['2', 'filename_prefix']] } } }));
  fs.writeFileSync(path.join(templates, 'broken.json'), JSON.stringify(graph));
  fs.writeFileSync(path.join(templates, 'broken.manifest.json'), JSON.stringify({ parameters: { prompt: { type: 'string', targets: [['9', 'text']] } } }));
  stack = await startTestStack({ comfyStepMs: 40, env: { ATELIER_TEMPLATES_DIR: templates } });
});
after(async () => { await stack?.stop(); });

test('a generate job goes from the API to images on disk, with its events in order', async () => {
  const id = await startGenerate(stack, { prompt: 'a lighthouse at dusk', width: 512, height: 384, steps: 6, count: 2, seed: 42 });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  assert.equal(job.status, 'COMPLETED', job.error);
  await assertEachImageOnce(stack, id, 2);

  const { body } = await stack.api(`/api/jobs/${id}`);
  assert.equal(body.state.status, 'COMPLETED');
  assert.deepEqual(body.state.steps.map((s: any) => s.status), ['done', 'done']);
  assert.equal(body.assets.length, 2);
  for (const asset of body.assets) {
    assert.equal(asset.width, 512);
    assert.equal(asset.height, 384);
    const bytes = Buffer.from(await (await fetch(stack.apiUrl + asset.url, { headers: { authorization: `Bearer ${stack.token}` } })).arrayBuffer());
    assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), asset.sha256, 'served bytes are the stored bytes');
    assert.deepEqual([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  }
  const [a, b] = body.assets;
  assert.notEqual(a.sha256, b.sha256, 'two seeds give two different images');

  const events = await jobEvents(stack, id);
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'sequence numbers 1..n without gaps');
  const correlation = await stack.sql`SELECT DISTINCT e.correlation_id AS id FROM events e WHERE e.job_id = ${id}`;
  assert.deepEqual(correlation.map((r) => r.id), [job.correlation_id], 'every event carries the correlation id of the request that started the job');
  assert.match(job.correlation_id, /^[0-9a-f-]{36}$/);
  // one file per GPU host in the pool's folder
  const gpuLogDir = path.join(stack.dataDir, 'logs', 'worker-gpu-demo');
  const gpuLog = fs.readdirSync(gpuLogDir).map((file) => fs.readFileSync(path.join(gpuLogDir, file), 'utf8')).join('\n');
  assert.ok(gpuLog.split('\n').some((line) => line.includes(id) && line.includes(job.correlation_id)), "the GPU worker's log lines for the job carry it too");
  const types = events.map((e) => e.type).filter((t) => t !== 'progress');
  assert.equal(types[0], 'job.started');
  assert.equal(types.at(-1), 'job.completed');
  const firstQueued = types.indexOf('comfy.queued');
  assert.ok(types.indexOf('stage') < firstQueued && firstQueued < types.indexOf('asset.created'), types.join(' → '));
  assert.equal(types.filter((t) => t === 'asset.created').length, 2);
  assert.ok(events.some((e) => e.type === 'progress' && Number(e.data.max) === 6), 'sampler progress reached the log');

  const jsonl = await stack.api(`/api/jobs/${id}/events.jsonl`);
  assert.equal(String(jsonl.body).trim().split('\n').length, events.length);
});

test('image to image: an earlier image is uploaded to ComfyUI and redrawn at its size', async () => {
  const source = await startGenerate(stack, { prompt: 'a harbour', width: 320, height: 192, steps: 4, seed: 3 });
  await waitForStatus(stack, source, ['COMPLETED']);
  const [asset] = (await stack.api(`/api/jobs/${source}`)).body.assets;
  const id = await startGenerate(stack, { prompt: 'the same harbour at night', template: 'img2img', image: asset.id, denoise: 0.4, steps: 4 });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  assert.equal(job.status, 'COMPLETED', job.error);
  const [result] = (await stack.api(`/api/jobs/${id}`)).body.assets;
  assert.deepEqual([result.width, result.height], [320, 192]);
  assert.notEqual(result.sha256, asset.sha256);
  assert.ok(fs.existsSync(path.join(stack.dataDir, 'comfyui', 'input', `atelier-${asset.id}.png`)), 'the source went through /upload/image');

  const noImage = await stack.api('/api/generate', { method: 'POST', json: { prompt: 'p', template: 'img2img' } });
  assert.equal(noImage.status, 400);
  assert.match(noImage.body.error, /needs a source image/);
  const unknown = await stack.api('/api/generate', { method: 'POST', json: { prompt: 'p', template: 'img2img', image: 'a_000000000000000000000000' } });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error, /no asset/);
  const wrongTemplate = await stack.api('/api/generate', { method: 'POST', json: { prompt: 'p', image: asset.id } });
  assert.match(wrongTemplate.body.error, /takes no image/);
});

test('cancel during sampling interrupts that prompt at ComfyUI and the job ends CANCELLED', async () => {
  const id = await startGenerate(stack, { prompt: 'a very slow painting', width: 256, height: 256, steps: 150, count: 3 });
  await waitForEvent(stack, id, 'progress');
  const [promptId] = await promptIdsOf(stack, id);
  const cancel = await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' });
  assert.equal(cancel.status, 202);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  assert.equal(job.status, 'CANCELLED');
  const log = standinLog(stack);
  assert.ok(log.some((l) => l.event === 'interrupt' && l.prompt_id === promptId && l.running === true), 'POST /interrupt named the running prompt');
  assert.ok(log.some((l) => l.event === 'executed' && l.prompt_id === promptId && l.outcome === 'interrupted'));
  const queuedSecond = (await promptIdsOf(stack, id)).find((p) => p !== promptId);
  if (queuedSecond) assert.ok(log.some((l) => l.event === 'deleted' && l.prompt_id === queuedSecond) || log.some((l) => l.event === 'interrupt' && l.prompt_id === queuedSecond), 'the waiting prompt left the queue');
  const described = execFileSync(findTemporalCli()!, ['workflow', 'describe', '--address', stack.temporalAddress, '--workflow-id', id, '--output', 'json'], { encoding: 'utf8' });
  assert.match(described, /WORKFLOW_EXECUTION_STATUS_CANCELED/);
  const again = await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' });
  assert.equal(again.status, 409, 'cancelling an ended job says it has ended');
});

test('pause: nothing new starts until resume', async () => {
  const id = await startGenerate(stack, { prompt: 'a paused series', width: 256, height: 256, steps: 30, count: 4 });
  await waitForEvent(stack, id, 'comfy.queued');
  assert.equal((await stack.api(`/api/jobs/${id}/pause`, { method: 'POST' })).status, 202);
  await until('the pause to take effect', async () => (await stack.api(`/api/jobs/${id}`)).body.state?.paused === true);
  // what was already in flight may finish; after that nothing new may be queued
  await until('in-flight images to finish', async () => {
    const state = (await stack.api(`/api/jobs/${id}`)).body.state;
    return state.steps.every((s: any) => s.status !== 'running');
  });
  const queuedAtPause = (await stack.sql`SELECT count(*)::int AS n FROM events WHERE job_id = ${id} AND type = 'comfy.queued'`)[0]!.n;
  await new Promise((r) => setTimeout(r, 3000));
  const queuedLater = (await stack.sql`SELECT count(*)::int AS n FROM events WHERE job_id = ${id} AND type = 'comfy.queued'`)[0]!.n;
  assert.equal(queuedLater, queuedAtPause, 'no prompt was queued while paused');
  assert.ok(queuedAtPause < 4, 'the pause held some images back');
  assert.equal((await stack.sql`SELECT status FROM jobs WHERE id = ${id}`)[0]!.status, 'PAUSED');
  assert.equal((await stack.api(`/api/jobs/${id}/resume`, { method: 'POST' })).status, 202);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  assert.equal(job.status, 'COMPLETED');
  await assertEachImageOnce(stack, id, 4);
});

test('a job started with the temporal CLI appears in the job list, runs, and is found by its search attributes', async () => {
  const cli = findTemporalCli()!;
  const id = `cli-${crypto.randomUUID()}`;
  execFileSync(cli, ['workflow', 'start', '--address', stack.temporalAddress, '--task-queue', 'atelier', '--type', 'generateWorkflow', '--workflow-id', id, '--input', JSON.stringify({ prompt: 'started from the temporal CLI', width: 256, height: 256, steps: 4, project: 'cli-test' })]);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  assert.equal(job.status, 'COMPLETED', job.error);
  const list = await stack.api('/api/jobs?q=temporal%20CLI');
  assert.ok(list.body.jobs.some((j: any) => j.id === id && j.pipeline === 'generate'));
  const query = await until('the visibility store to index the workflow', () => {
    const out = execFileSync(cli, ['workflow', 'list', '--address', stack.temporalAddress, '--query', `AtelierPipeline = "generate" AND AtelierProject = "cli-test" AND AtelierStage = "completed"`, '--output', 'json'], { encoding: 'utf8' });
    return out.includes(id) ? out : undefined;
  }, 20_000, 500);
  assert.match(query, new RegExp(id));
});

test('bad input through the temporal CLI fails the job with a message, not a retry loop', async () => {
  const id = `cli-bad-${crypto.randomUUID()}`;
  execFileSync(findTemporalCli()!, ['workflow', 'start', '--address', stack.temporalAddress, '--task-queue', 'atelier', '--type', 'generateWorkflow', '--workflow-id', id, '--input', JSON.stringify({ prompt: '', width: 3 })]);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 30_000);
  assert.equal(job.status, 'FAILED');
  assert.match(job.error, /prompt is empty/);
  assert.match(job.error, /width must be at least 64/);
});

test('a job terminated with the temporal CLI ends CANCELLED with the reason; a reset job (its old run terminated) goes on', { timeout: 120_000 }, async () => {
  const cli = findTemporalCli()!;
  const temporal = (...args: string[]) => execFileSync(cli, [...args, '--address', stack.temporalAddress], { encoding: 'utf8' });
  // both wait on a paused pool, so each is running when Temporal ends it
  await stack.api('/api/pools/demo/pause', { method: 'POST', json: { reason: 'terminate test' } });
  try {
    const [terminated, reset] = await Promise.all([1, 2].map((seed) => startGenerate(stack, { prompt: 'ended in Temporal', width: 64, height: 64, steps: 2, seed })));
    for (const id of [terminated, reset]) await waitForEvent(stack, id!, 'stage');
    temporal('workflow', 'reset', '--workflow-id', reset!, '--type', 'FirstWorkflowTask', '--reason', 'replay it', '--yes');
    temporal('workflow', 'terminate', '--workflow-id', terminated!, '--reason', 'wrong prompt, stopped by ops');

    const job = await waitForStatus(stack, terminated!, ['COMPLETED', 'FAILED', 'CANCELLED'], 45_000);
    assert.equal(job.status, 'CANCELLED');
    assert.match(job.error, /^terminated in Temporal by temporal-cli:\S+: wrong prompt, stopped by ops$/);
    const ended = (await jobEvents(stack, terminated!)).filter((e) => e.type.startsWith('job.') && e.type !== 'job.started');
    assert.deepEqual(ended.map((e) => [e.type, e.data.reason]), [['job.cancelled', 'wrong prompt, stopped by ops']]);
    // the job page's state says so too, not the RUNNING the terminated workflow was left in
    const { body } = await stack.api(`/api/jobs/${terminated}`);
    assert.equal(body.state.status, 'CANCELLED');
    assert.equal(body.state.poolWait, undefined);
    assert.deepEqual(body.state.steps.map((s: any) => s.status), ['cancelled']);

    // the look that found the terminated job saw the reset's terminated run too: its job goes on in the new run
    const [still] = await stack.sql`SELECT status FROM jobs WHERE id = ${reset!}`;
    assert.equal(still!.status, 'RUNNING');
  } finally {
    await stack.api('/api/pools/demo/resume', { method: 'POST', json: {} });
  }
  const [resetJob] = await stack.sql`SELECT id FROM jobs WHERE title = 'ended in Temporal' AND status <> 'CANCELLED'`;
  const done = await waitForStatus(stack, resetJob!.id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  assert.equal(done.status, 'COMPLETED', done.error);
});

test('a node failing at ComfyUI fails the job naming the node and the reason', async () => {
  await fetch(`${stack.pools.demo}/__standin/faults`, { method: 'POST', body: JSON.stringify({ failClass: 'KSampler', message: 'CUDA out of memory', times: 1 }) });
  const id = await startGenerate(stack, { prompt: 'doomed', width: 256, height: 256, steps: 4 });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  await fetch(`${stack.pools.demo}/__standin/faults`, { method: 'DELETE' });
  assert.equal(job.status, 'FAILED');
  assert.match(job.error, /ComfyUI failed at node 3 \(KSampler\): CUDA out of memory/);
  const events = await jobEvents(stack, id);
  assert.equal(events.at(-1)!.type, 'job.failed');
  const { body } = await stack.api(`/api/jobs/${id}`);
  assert.equal(body.state.status, 'FAILED');
  assert.equal(body.state.steps[0].status, 'failed');
  assert.match(body.state.steps[0].error, /node 3 \(KSampler\): CUDA out of memory/);
});

test('a template naming a node type the server lacks is refused before queueing, naming it; broken manifests are listed', async () => {
  const listed = await stack.api('/api/templates');
  assert.ok(listed.body.templates.some((t: any) => t.id === 'magic' && t.source === 'user'));
  assert.ok(listed.body.templates.some((t: any) => t.id === 'txt2img' && t.source === 'builtin'));
  assert.match(listed.body.errors.find((e: any) => e.file.endsWith('broken.manifest.json')).error, /names node 9, which its graph lacks/);
  const refused = await stack.api('/api/generate', { method: 'POST', json: { prompt: 'p', template: 'broken' } });
  assert.equal(refused.status, 400);
  assert.match(refused.body.error, /node 9/);

  // the API reads the pool's /object_info and refuses it; a job started around the API fails in the GPU worker with the same words
  const words = /ComfyUI has no node type "UpscaleWithMagic" \(node 1 of template "magic"\) on pool demo: install that custom node/;
  const early = await stack.api('/api/generate', { method: 'POST', json: { prompt: 'p', template: 'magic' } });
  assert.equal(early.status, 400);
  assert.match(early.body.error, words);
  const id = `cli-magic-${crypto.randomUUID()}`;
  execFileSync(findTemporalCli()!, ['workflow', 'start', '--address', stack.temporalAddress, '--task-queue', 'atelier', '--type', 'generateWorkflow', '--workflow-id', id, '--input', JSON.stringify({ prompt: 'p', template: 'magic' })]);
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 30_000);
  assert.equal(job.status, 'FAILED');
  assert.match(job.error, words);
  assert.deepEqual(await promptIdsOf(stack, id), [], 'nothing was queued at ComfyUI');
});

test('the job list pages with a cursor through every job once, newest first', async () => {
  const all = (await stack.api('/api/jobs?limit=200')).body.jobs.map((j: any) => j.id);
  assert.ok(all.length >= 5, `enough jobs to page (${all.length})`);
  const paged: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = (await stack.api(`/api/jobs?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
    paged.push(...page.jobs.map((j: any) => j.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(paged, all);
  const failed = (await stack.api('/api/jobs?status=FAILED&pipeline=generate')).body.jobs;
  assert.ok(failed.length >= 1 && failed.every((j: any) => j.status === 'FAILED'));
});

test('sockets dropped mid-run: the activity reconnects, reconciles through /history and stores each image once', async () => {
  await fetch(`${stack.pools.demo}/__standin/faults`, { method: 'POST', body: JSON.stringify({ dropSocketsAfterFrames: 12 }) });
  try {
    const id = await startGenerate(stack, { prompt: 'through a flaky network', width: 256, height: 256, steps: 20, count: 2 });
    const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
    assert.equal(job.status, 'COMPLETED', job.error);
    await assertEachImageOnce(stack, id, 2);
  } finally {
    await fetch(`${stack.pools.demo}/__standin/faults`, { method: 'DELETE' });
  }
});

test('a prompt interrupted on the ComfyUI server itself fails the job once, saying so', async () => {
  const id = await startGenerate(stack, { prompt: 'stopped by someone at the GPU box', width: 128, height: 128, steps: 150 });
  await waitForEvent(stack, id, 'progress');
  await fetch(`${stack.pools.demo}/interrupt`, { method: 'POST' });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 30_000);
  assert.equal(job.status, 'FAILED');
  assert.match(job.error, /stopped on the ComfyUI server, not by Atelier/);
});
