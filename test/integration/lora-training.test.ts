// The lora pipeline end to end with the demo trainer (a real PyTorch LoRA trainer, CPU): live step and loss, the
// GPU worker that trains killed with SIGKILL and the training resumed from its checkpoint, two GPU workers with
// different hosts and sampling on the one that trained, staged samples kept into the dataset, and cancel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { waitForStatus } from '../support/jobs.ts';
import { createCharacter, eventsOf, portrait, reportedStep, startTraining, waitForStep } from '../support/lora.ts';
import { TSX_ARGS } from '../../infra/local/processes.ts';
import { PROJECT_ROOT } from '../../infra/local/temporal-cli.ts';
import { processesMatching } from '../../activities/training/process.ts';

let stack: TestStack;
const SECOND_HOST = 'gpu-b';

before(async () => {
  stack = await startTestStack({ env: { ATELIER_TRAINER_GRACE_MS: '8000' }, comfyStepMs: 5 });
  await stack.supervisor.start({
    name: 'worker-gpu-demo-b', command: process.execPath, args: [...TSX_ARGS, path.join(PROJECT_ROOT, 'workers/gpu.ts'), '--pool', 'demo', '--host', SECOND_HOST],
    env: stack.childEnv, restart: true, ready: (line) => line.includes('GPU worker polling'), readyTimeoutMs: 120_000,
  });
});
after(async () => { await stack?.stop(); });

/** the character the first test trained a LoRA of (the synthesis test makes images with it) */
let trainedCharacterId: string | undefined;

const workerOf = (host: string) => (host === SECOND_HOST ? 'worker-gpu-demo-b' : 'worker-gpu-demo');

test('train with the demo trainer, kill the training GPU worker near step 170: it resumes from its checkpoint, samples on the host that trained, keeps two samples', { timeout: 600_000 }, async () => {
  const { character } = await createCharacter(stack, 'Ada', await Promise.all([0, 1, 2, 3].map(async (i) => ({ name: `ada-${i}.png`, bytes: await portrait(i), caption: i < 3 ? `photo of [trigger], pose ${i}` : undefined }))));
  const id = await startTraining(stack, { characterId: character.id, preset: 'quick', advanced: { steps: 300, saveEvery: 50, sampleEvery: 150 }, samplePrompts: ['photo of [trigger] smiling', '[trigger] in a park'] });

  const started = await until('training to start', async () => (await eventsOf(stack, id, 'training.started')).at(0), 240_000);
  const firstHost = started.data.host as string;
  await waitForStep(stack, id, 165);
  const killed = stack.supervisor.kill(workerOf(firstHost), 'SIGKILL');
  const stepAtKill = await reportedStep(stack, id);
  await stack.supervisor.waitForRestart(workerOf(firstHost), killed);

  const resumed = await until('the retried training to resume', async () => (await eventsOf(stack, id, 'training.resumed')).find((e) => Number(e.data.attempt) >= 2), 240_000);
  assert.ok(Number(resumed.data.step) >= 150, `resumed at step ${resumed.data.step}, not from its checkpoint (killed near ${stepAtKill})`);

  const job = await until('samples staged', async () => {
    const r = await stack.api(`/api/jobs/${id}`);
    return r.body.state?.awaitingReview?.some((w: any) => w.stepId === 'staging') ? r.body : undefined;
  }, 300_000);

  const progress = await eventsOf(stack, id, 'training.progress');
  assert.ok(progress.length >= 20 && progress.length <= 320, `${progress.length} progress events`);
  assert.ok(progress.every((e) => Number.isInteger(e.data.step) && typeof e.data.loss === 'number'), 'every progress event carries step and loss');
  const checkpoints = (await eventsOf(stack, id, 'training.checkpoint')).map((e) => Number(e.data.step));
  assert.ok(checkpoints.includes(50) && checkpoints.includes(150), `checkpoints ${checkpoints}`);
  assert.ok((await eventsOf(stack, id, 'training.sample')).length >= 2, 'the trainer\'s samples registered while training ran');

  const finished = (await eventsOf(stack, id, 'training.finished'))[0]!;
  const installed = await eventsOf(stack, id, 'lora.installed');
  assert.ok(installed.length >= 1);
  assert.ok(installed.every((e) => e.data.host === finished.data.host), `sampling on ${installed.map((e) => e.data.host)} but trained on ${finished.data.host}`);
  assert.equal(job.state.trainedOn, finished.data.host);
  assert.equal(job.state.sampledOn, finished.data.host);

  const loras = await stack.sql`SELECT name, steps, bytes, host FROM loras WHERE job_id = ${id}`;
  assert.equal(loras.length, 1);
  assert.equal(loras[0]!.steps, 300);
  assert.ok(fs.statSync(path.join(stack.dataDir, 'loras', `${loras[0]!.name}.safetensors`)).size > 0);
  const listed = await stack.api('/api/loras');
  assert.equal(listed.body.loras.filter((l: any) => l.name === `${loras[0]!.name}.safetensors`).length, 1);

  const staged = job.state.awaitingReview.find((w: any) => w.stepId === 'staging');
  assert.equal(staged.assets.length, 2);
  const keep = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 'staging', decision: 'keep', assetIds: staged.assets.map((a: any) => a.id) } });
  assert.equal(keep.status, 200, JSON.stringify(keep.body));
  await waitForStatus(stack, id, ['COMPLETED'], 60_000);
  const kept = await stack.sql`SELECT caption, origin, source_job_id FROM dataset_images WHERE character_id = ${character.id} AND origin = 'sample'`;
  assert.equal(kept.length, 2);
  assert.deepEqual(kept.map((k) => k.caption).sort(), ['[trigger] in a park', 'photo of [trigger] smiling']);
  assert.ok(kept.every((k) => k.source_job_id === id));
  trainedCharacterId = character.id;
});

test('synthetic images of a trained character: a batch of 2 with its LoRA, staged, the kept one joins the dataset with an edited caption; bad requests refused', { timeout: 300_000 }, async () => {
  assert.ok(trainedCharacterId, 'the training test trained a LoRA first');
  const { character: untrained } = await createCharacter(stack, 'Cy', [{ name: 'cy.png', bytes: await portrait(20), caption: 'photo of [trigger]' }]);
  const refused = await stack.api(`/api/characters/${untrained.id}/synthesize`, { method: 'POST', json: { count: 2 } });
  assert.equal(refused.status, 409);
  assert.match(refused.body.error, /no trained LoRA yet: train one first/);
  const badCount = await stack.api(`/api/characters/${trainedCharacterId}/synthesize`, { method: 'POST', json: { count: 3 } });
  assert.equal(badCount.status, 400);
  assert.match(badCount.body.error, /count must be one of 1, 2, 4, 8/);
  const badLora = await stack.api(`/api/characters/${trainedCharacterId}/synthesize`, { method: 'POST', json: { count: 2, lora: 'not-a-lora' } });
  assert.equal(badLora.status, 400);
  assert.match(badLora.body.error, /has no LoRA "not-a-lora"/);

  const started = await stack.api(`/api/characters/${trainedCharacterId}/synthesize`, { method: 'POST', json: { count: 2, prompt: '[trigger] reading by a window' } });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const id = started.body.id as string;
  const job = await until('the synthetic images staged', async () => {
    const r = await stack.api(`/api/jobs/${id}`);
    return r.body.state?.awaitingReview?.some((w: any) => w.stepId === 'staging') ? r.body : undefined;
  }, 180_000);
  assert.equal(job.state.kind, 'synthesize');
  assert.ok(job.state.steps.every((s: any) => s.status === 'done'), 'both images made');
  const staged = job.state.awaitingReview.find((w: any) => w.stepId === 'staging');
  assert.equal(staged.assets.length, 2);
  const lora = (await stack.sql`SELECT name FROM loras WHERE character_id = ${trainedCharacterId}`)[0]!.name as string;
  const installed = await eventsOf(stack, id, 'lora.installed');
  assert.ok(installed.length >= 1 && installed.every((e) => String(e.data.file).includes(lora)), `the LoRA ${lora} installed where the images were made: ${JSON.stringify(installed.map((e) => e.data))}`);
  assert.equal(job.state.sampledOn, installed.at(-1)!.data.host);

  const [first, second] = staged.assets as { id: string }[];
  const keep = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 'staging', decision: 'keep', assetIds: [first!.id], edits: { captions: { [first!.id]: '[trigger] reading, soft light' } } } });
  assert.equal(keep.status, 200, JSON.stringify(keep.body));
  // the kept one is stored, then the other is staged again on its own
  await until('the other image staged again', async () => {
    const r = await stack.api(`/api/jobs/${id}`);
    const again = r.body.state?.awaitingReview?.find((w: any) => w.stepId === 'staging');
    return again?.assets.length === 1 && again.assets[0].id === second!.id ? again : undefined;
  }, 60_000);
  const discard = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 'staging', decision: 'discard', assetIds: [second!.id] } });
  assert.equal(discard.status, 200, JSON.stringify(discard.body));
  await waitForStatus(stack, id, ['COMPLETED'], 60_000);
  const kept = await stack.sql`SELECT caption, origin, source_job_id FROM dataset_images WHERE character_id = ${trainedCharacterId} AND source_job_id = ${id}`;
  assert.deepEqual(kept.map((k) => ({ ...k })), [{ caption: '[trigger] reading, soft light', origin: 'sample', source_job_id: id }]);
});

test('cancel near step 100: the trainer gets SIGINT, the job ends CANCELLED and no trainer process is left', { timeout: 300_000 }, async () => {
  const { character } = await createCharacter(stack, 'Bo', await Promise.all([10, 11].map(async (i) => ({ name: `bo-${i}.png`, bytes: await portrait(i), caption: 'photo of [trigger]' }))));
  const id = await startTraining(stack, { characterId: character.id, preset: 'quick', advanced: { steps: 300, saveEvery: 50, sampleEvery: 0 } });
  await waitForStep(stack, id, 100);
  assert.equal((await stack.api(`/api/loras/jobs/${id}/trainer`)).body.state, 'running');
  const cancel = await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' });
  assert.equal(cancel.status, 202);
  await waitForStatus(stack, id, ['CANCELLED'], 60_000);
  const [stopped] = await eventsOf(stack, id, 'training.stopped');
  assert.equal(stopped?.data.how, 'SIGINT', 'the trainer left on SIGINT within the grace period');
  const log = (await stack.api(`/api/loras/jobs/${id}/log`)).body.text as string;
  assert.match(log, /Stopping at step \d+ \(SIGINT\)/);
  assert.match(log, /Job stopped/);
  assert.deepEqual(processesMatching(`jobs/${id}/config.json`), [], 'no trainer process left');
  assert.equal((await stack.api(`/api/loras/jobs/${id}/trainer`)).body.state, 'none');
});
