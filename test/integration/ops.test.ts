// Second-pass operations on one stack: a user template's own parameters, the SDXL toggles (and a pool whose
// ComfyUI lacks a node pack), text PostgreSQL cannot store, and the debug bundle of a failed job.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { startGenerate, waitForStatus, waitForEvent, promptIdsOf, jobEvents } from '../support/jobs.ts';
import { atelierCli } from '../support/cli.ts';
import { readZip } from '../support/zip.ts';
import { findTemporalCli } from '../../infra/local/temporal-cli.ts';
import { eventLog } from '../../db/events.ts';

// planted where secrets live: the environment (a token, a key, a password in a URL, a password variable)
const SECRETS = {
  token: 'atl_planted_token_7c1d2e3f4a5b6c7d',
  key: 'sk-plantedKey0123456789abcdef',
  urlPassword: 'planted-url-pass-4711',
  envPassword: 'hunter2-planted-env-secret',
};

// and one only in the input, caught by its shape
const INPUT_ONLY_KEY = 'sk-onlyInTheInput987654321';

let stack: TestStack;
let templates: string;
before(async () => {
  templates = fs.mkdtempSync(path.join(os.tmpdir(), 'user-templates-'));
  const graph = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'atelier-demo-sdxl.safetensors' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 256, height: 256, batch_size: 1 } },
    '3': { class_type: 'KSampler', inputs: { model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0], seed: 0, steps: 4, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1 } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'ink' } },
  };
  fs.writeFileSync(path.join(templates, 'styled.json'), JSON.stringify(graph));
  fs.writeFileSync(path.join(templates, 'styled.manifest.json'), JSON.stringify({
    title: 'Styled', parameters: {
      prompt: { type: 'string', targets: [['6', 'text']] },
      mood: { type: 'string', label: 'Second prompt', targets: [['7', 'text']], default: '' },
      passes: { type: 'integer', targets: [['3', 'steps']], default: 4 },
      strength: { type: 'number', targets: [['3', 'denoise']], default: 1 },
      sampler: { type: 'combo', targets: [['3', 'sampler_name']], default: 'euler' },
      style: { type: 'string', options: ['ink', 'oil'], targets: [['9', 'filename_prefix']], default: 'ink' },
      side: { type: 'integer', targets: [['5', 'width'], ['5', 'height']], default: 256, min: 64, max: 1024 },
    },
  }));
  stack = await startTestStack({
    comfyStepMs: 10,
    env: {
      ATELIER_TEMPLATES_DIR: templates, ATELIER_API_TOKEN: SECRETS.token, OPENAI_API_KEY: SECRETS.key,
      OPENAI_BASE_URL: `http://atelier:${SECRETS.urlPassword}@127.0.0.1:9/v1`, ATELIER_SMTP_PASSWORD: SECRETS.envPassword,
    },
  });
});
after(async () => {
  await stack?.stop();
  fs.rmSync(templates, { recursive: true, force: true });
});

const generate = (json: unknown) => stack.api('/api/generate', { method: 'POST', json });
const comfy = (route: string, init?: RequestInit) => fetch(`${stack.pools.demo}${route}`, init);

/** The graphs ComfyUI ran for a job, as its /history keeps them. */
async function graphsOf(id: string): Promise<Record<string, { class_type: string; inputs: Record<string, unknown> }>[]> {
  const graphs = [];
  for (const promptId of await promptIdsOf(stack, id)) graphs.push((await (await comfy(`/history/${promptId}`)).json())[promptId].prompt[2]);
  return graphs;
}
const classesOf = (graph: Record<string, { class_type: string }>) => new Set(Object.values(graph).map((n) => n.class_type));

test("a user template's own parameters: valid values reach the graph; out of ComfyUI's range, an unknown option or an undeclared name is refused, naming it", async () => {
  const id = await startGenerate(stack, { prompt: 'a harbour', template: 'styled', params: { mood: 'calm sea, dawn', passes: 3, strength: 0.9, sampler: 'dpmpp_2m', style: 'oil', side: 192 } });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  assert.equal(job.status, 'COMPLETED', job.error);
  const [graph] = await graphsOf(id);
  assert.deepEqual([graph!['7']!.inputs.text, graph!['3']!.inputs.steps, graph!['3']!.inputs.denoise, graph!['3']!.inputs.sampler_name, graph!['9']!.inputs.filename_prefix, graph!['5']!.inputs.width, graph!['6']!.inputs.text],
    ['calm sea, dawn', 3, 0.9, 'dpmpp_2m', 'oil', 192, 'a harbour']);
  const { body } = await stack.api(`/api/jobs/${id}`);
  assert.deepEqual([body.assets[0].width, body.assets[0].height], [192, 192]);

  const refused = async (params: Record<string, unknown>, words: RegExp) => {
    const answer = await generate({ prompt: 'p', template: 'styled', params });
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.match(answer.body.error, words);
  };
  await refused({ passes: 20_000 }, /passes must be from 1 to 10000 \(ComfyUI's limits for KSampler steps\); got 20000/);
  await refused({ strength: 1.5 }, /strength must be from 0 to 1 \(ComfyUI's limits for KSampler denoise\); got 1\.5/);
  await refused({ sampler: 'warp_drive' }, /sampler must be one of "euler", .*"dpmpp_2m".* \(what ComfyUI on pool demo offers for KSampler sampler_name\); got "warp_drive"/);
  await refused({ style: 'pastel' }, /style must be one of "ink", "oil"; got "pastel"/);
  await refused({ side: 2000 }, /side must be from 64 to 1024; got 2000/);
  await refused({ passes: 'many' }, /passes must be a whole number; got "many"/);
  await refused({ colour: 'red' }, /template "styled" has no parameter "colour": its parameters are prompt, mood, passes, strength, sampler, style, side/);

  const listed = (await stack.api('/api/templates?pool=demo')).body.templates.find((t: any) => t.id === 'styled');
  const passes = listed.parameters.find((p: any) => p.name === 'passes');
  assert.deepEqual([passes.type, passes.min, passes.max], ['integer', 1, 10000], "the form learns ComfyUI's limits");
  assert.ok(listed.parameters.find((p: any) => p.name === 'sampler').options.includes('dpmpp_2m'));

  // the CLI reads each --param after its declared type
  const cli = await atelierCli(stack, ['generate', 'from the CLI', '--template', 'styled', '--param', 'passes=2', '--param', 'style=ink', '--param', 'mood=stormy', '--wait'], { ATELIER_TOKEN: SECRETS.token });
  assert.equal(cli.code, 0, cli.stderr);
  const cliJob = /started (generate-\S+)/.exec(cli.stdout)![1]!;
  const [cliGraph] = await graphsOf(cliJob);
  assert.deepEqual([cliGraph!['3']!.inputs.steps, cliGraph!['9']!.inputs.filename_prefix, cliGraph!['7']!.inputs.text], [2, 'ink', 'stormy']);
});

const TOGGLE_CLASSES: Record<string, string[]> = {
  controlnet: ['ControlNetLoader', 'ControlNetApplyAdvanced'],
  ipAdapter: ['IPAdapterModelLoader', 'CLIPVisionLoader', 'IPAdapterAdvanced'],
  faceDetailer: ['FaceDetailer', 'UltralyticsDetectorProvider'],
  upscale: ['UpscaleModelLoader', 'ImageUpscaleWithModel'],
};

test('each SDXL toggle: its nodes are in the graph only when it is on; a toggle whose node pack the server lacks is refused, naming the pack', async () => {
  const base = { width: 128, height: 128, steps: 2, seed: 11 };
  const plain = await startGenerate(stack, { prompt: 'plain', ...base });
  await waitForStatus(stack, plain, ['COMPLETED']);
  const [source] = (await stack.api(`/api/jobs/${plain}`)).body.assets;
  const jobs: Record<string, string> = {};
  for (const [toggle, params] of Object.entries({
    controlnet: { controlnet: true, controlImage: source.id, controlStrength: 0.6 },
    ipAdapter: { ipAdapter: true, referenceImage: source.id },
    faceDetailer: { faceDetailer: true, faceDenoise: 0.4 },
    upscale: { upscale: true },
  })) jobs[toggle] = await startGenerate(stack, { prompt: `with ${toggle}`, ...base, params });

  const allToggleClasses = Object.values(TOGGLE_CLASSES).flat();
  const [plainGraph] = await graphsOf(plain);
  assert.deepEqual(allToggleClasses.filter((c) => classesOf(plainGraph!).has(c)), [], 'every toggle is off by default');
  for (const [toggle, id] of Object.entries(jobs)) {
    const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
    assert.equal(job.status, 'COMPLETED', `${toggle}: ${job.error}`);
    const [graph] = await graphsOf(id);
    assert.deepEqual(allToggleClasses.filter((c) => classesOf(graph!).has(c)), TOGGLE_CLASSES[toggle], `${toggle} adds its nodes and no other toggle's`);
  }
  const upscaled = (await stack.api(`/api/jobs/${jobs.upscale}`)).body.assets[0];
  assert.deepEqual([upscaled.width, upscaled.height], [256, 256], 'the demo upscale model doubles the size');
  const notices = (await jobEvents(stack, jobs.upscale!)).filter((e) => e.type === 'comfy.notice').map((e) => e.data.message);
  assert.ok(notices.includes('upscaleModel 4x-UltraSharp.pth is not on this ComfyUI server; using atelier-demo-2x.pth'), notices.join('; '));

  const words = 'Face detailer needs node type "FaceDetailer", which ComfyUI on pool demo lacks: install ComfyUI Impact Pack on pool demo';
  await comfy('/__standin/node-packs', { method: 'POST', body: JSON.stringify({ without: ['ComfyUI-Impact-Pack'] }) });
  try {
    const listed = (await stack.api('/api/templates?pool=demo')).body.templates.find((t: any) => t.id === 'txt2img');
    const toggle = listed.parameters.find((p: any) => p.name === 'faceDetailer');
    assert.deepEqual([toggle.available, toggle.unavailable], [false, words]);
    assert.equal(listed.parameters.find((p: any) => p.name === 'upscale').available, true);
    const refused = await generate({ prompt: 'a face', ...base, params: { faceDetailer: true } });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, words);
    // around the API (the GPU worker's cached /object_info still has the pack): the job fails with the same words
    const id = `cli-face-${crypto.randomUUID()}`;
    execFileSync(findTemporalCli()!, ['workflow', 'start', '--address', stack.temporalAddress, '--task-queue', 'atelier', '--type', 'generateWorkflow', '--workflow-id', id, '--input', JSON.stringify({ prompt: 'a face', ...base, params: { faceDetailer: true } })]);
    const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
    assert.equal(job.status, 'FAILED');
    assert.equal(job.error, words);
  } finally {
    await comfy('/__standin/node-packs', { method: 'POST', body: JSON.stringify({ without: [] }) });
  }
});

const TEXT_FIELDS: [string, Record<string, unknown>][] = [
  ['prompt', { prompt: 'a\u0000b' }],
  ['negativePrompt', { negativePrompt: 'x\u0000' }],
  ['sampler', { sampler: 'euler\u0000' }],
  ['scheduler', { scheduler: '\u0000' }],
  ['pool', { pool: 'demo\u0000' }],
  ['template', { template: 'txt2img\u0000' }],
  ['image', { image: 'a_\u0000' }],
  ['checkpoint', { checkpoint: 'm\u0000.safetensors' }],
  ['lora', { lora: '\u0000.safetensors' }],
  ['title', { title: 'my\u0000title' }],
  ['project', { project: 'p\u0000' }],
  ['params.mood', { template: 'styled', params: { mood: 'calm\u0000' } }],
];

test('a NUL character in any text field of generate is refused naming the field, through the API and the temporal CLI; nothing is stored', async () => {
  const [{ count: before }] = await stack.sql`SELECT count(*)::int AS count FROM jobs`;
  for (const [field, body] of TEXT_FIELDS) {
    const answer = await generate({ prompt: 'fine', ...body });
    assert.equal(answer.status, 400, field);
    assert.equal(answer.body.error, `${field} holds a NUL character (\\u0000), which cannot be stored: remove it`);
  }
  const surrogate = await generate({ prompt: 'half \uD83D' });
  assert.match(surrogate.body.error, /^prompt holds a lone UTF-16 surrogate/);
  const query = await stack.api('/api/jobs?q=%00');
  assert.equal(query.status, 400);
  assert.match(query.body.error, /^query\.q holds a NUL character/);
  const inPath = await stack.api('/api/jobs/generate-%00');
  assert.equal(inPath.status, 400);
  assert.match(inPath.body.error, /^the URL path holds a NUL character/);
  const [{ count: after }] = await stack.sql`SELECT count(*)::int AS count FROM jobs`;
  assert.equal(after, before, 'no job was recorded');

  const cli = findTemporalCli()!;
  const ids = TEXT_FIELDS.map(([field, body]) => {
    const id = `cli-nul-${field.replace('.', '-')}-${crypto.randomUUID().slice(0, 8)}`;
    execFileSync(cli, ['workflow', 'start', '--address', stack.temporalAddress, '--task-queue', 'atelier', '--type', 'generateWorkflow', '--workflow-id', id, '--input', JSON.stringify({ prompt: 'fine', ...body })]);
    return [field, id] as const;
  });
  for (const [field, id] of ids) {
    const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 30_000);
    assert.equal(job.status, 'FAILED', field);
    assert.equal(job.error, `bad generate input: ${field} holds a NUL character (\\u0000), which cannot be stored: remove it`);
    assert.equal(job.title, 'generate (bad input)');
    assert.ok(!JSON.stringify(job.input_summary).includes('\\u0000'));
    assert.deepEqual(await promptIdsOf(stack, id), [], `${field}: nothing reached ComfyUI`);
    const [{ count }] = await stack.sql`SELECT count(*)::int AS count FROM assets WHERE job_id = ${id}`;
    assert.equal(count, 0);
  }
  // whatever else echoes such text into the log (an error message, a review note) is cleaned, never a failed write
  const appended = await eventLog(stack.sql).append({ jobId: ids[0]![1], type: 'review.decided', data: { note: 'see\u0000this' } });
  const [stored] = await stack.sql`SELECT data::text AS text FROM events WHERE job_id = ${ids[0]![1]} AND seq = ${appended!.seq}`;
  assert.ok(stored!.text.includes('see\uFFFDthis'), stored!.text);
});

/** Every way a secret could sit in the bundle's text: as is, and base64 at each of the three alignments. */
function secretForms(secret: string): string[] {
  return [secret, ...[0, 1, 2].map((shift) => Buffer.from('x'.repeat(shift) + secret).toString('base64').slice(Math.ceil(shift * 4 / 3) + 2, -4))];
}

test('debug bundle of a failed job: each part is in the ZIP, and the planted secrets appear nowhere in it', async () => {
  await comfy('/__standin/faults', { method: 'POST', body: JSON.stringify({ failClass: 'KSampler', message: 'CUDA out of memory', times: 1 }) });
  const id = await startGenerate(stack, {
    prompt: `a vault, key ${SECRETS.key}, token ${SECRETS.token}, password=${SECRETS.envPassword}, other key ${INPUT_ONLY_KEY}`,
    negativePrompt: `blurry ${SECRETS.urlPassword}`, width: 128, height: 128, steps: 2,
  });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  await comfy('/__standin/faults', { method: 'DELETE' });
  assert.equal(job.status, 'FAILED');
  // the record says FAILED a moment before the log's last event and the history's close: the bundle is taken after all
  await waitForEvent(stack, id, 'job.failed');
  spawnSync(findTemporalCli()!, ['workflow', 'result', '--address', stack.temporalAddress, '--workflow-id', id]);

  const response = await fetch(`${stack.apiUrl}/api/jobs/${id}/debug-bundle`, { headers: { authorization: `Bearer ${SECRETS.token}` } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/zip');
  assert.match(response.headers.get('content-disposition')!, new RegExp(`attachment; filename="atelier-debug-${id}\\.zip"`));
  const entries = await readZip(Buffer.from(await response.arrayBuffer()));
  const names = entries.map((e) => e.name);
  for (const name of ['README.txt', 'job.json', 'events.jsonl', 'workflow-history.json', 'logs/api.log', 'logs/worker-main.log', 'logs/worker-gpu-demo.log', 'environment.json', 'assets.json']) {
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  }
  const text = (name: string) => entries.find((e) => e.name === name)!.data.toString('utf8');
  assert.match(text('README.txt'), /First error:\n\s+ComfyUI failed at node 3 \(KSampler\): CUDA out of memory/);
  assert.match(text('README.txt'), new RegExp(`job ${id}`));
  const record = JSON.parse(text('job.json'));
  assert.equal(record.record.status, 'FAILED');
  assert.equal(record.input[0].prompt, 'a vault, key [redacted], token [redacted], password=[redacted] other key sk-[redacted]', 'the password= pattern takes the comma with it');
  assert.equal(text('events.jsonl').trim().split('\n').length, (await jobEvents(stack, id)).length);
  const history = JSON.parse(text('workflow-history.json'));
  assert.equal(history.events[0].eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
  assert.equal(history.events.at(-1).eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
  for (const service of ['api', 'worker-main', 'worker-gpu-demo']) {
    for (const line of text(`logs/${service}.log`).trim().split('\n')) assert.ok(line.includes(id) || line.includes(job.correlation_id), `${service}: ${line.slice(0, 120)}`);
  }
  const environment = JSON.parse(text('environment.json'));
  assert.match(environment.node.version, /^v\d+/);
  assert.match(environment.postgres.version, /PostgreSQL \d+/);
  assert.ok(environment.temporal.serverVersion, 'the Temporal server says its version');
  assert.equal(environment.pools[0].systemStats.system.comfyui_version, '0.33.0-atelier-standin');
  assert.equal(environment.config.llm.baseUrl, 'http://127.0.0.1:9/v1');
  assert.deepEqual(JSON.parse(text('assets.json')), []);

  for (const entry of entries) {
    const content = entry.data.toString('utf8');
    for (const [what, secret] of Object.entries({ ...SECRETS, inputOnlyKey: INPUT_ONLY_KEY })) {
      for (const form of secretForms(secret)) assert.ok(!content.includes(form), `the ${what} (${form}) is in ${entry.name}`);
    }
  }

  // the same from the CLI, written whole to the file asked for
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
  const cli = await atelierCli(stack, ['debug-bundle', id, '-o', path.join(dir, 'b.zip')], { ATELIER_TOKEN: SECRETS.token });
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /wrote .*b\.zip/);
  assert.deepEqual((await readZip(fs.readFileSync(path.join(dir, 'b.zip')))).map((e) => e.name), names);
  assert.deepEqual(fs.readdirSync(dir), ['b.zip'], 'no temporary file is left behind');
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the bundle's workflow history is what `temporal workflow show --output json` prints", async () => {
  const id = await startGenerate(stack, { prompt: 'a quiet history', width: 128, height: 128, steps: 2 });
  await waitForStatus(stack, id, ['COMPLETED']);
  // the history is closed (the workflow returned) before either side reads it
  execFileSync(findTemporalCli()!, ['workflow', 'result', '--address', stack.temporalAddress, '--workflow-id', id], { encoding: 'utf8' });
  const entries = await readZip(Buffer.from(await (await fetch(`${stack.apiUrl}/api/jobs/${id}/debug-bundle`, { headers: { authorization: `Bearer ${SECRETS.token}` } })).arrayBuffer()));
  const fromBundle = JSON.parse(entries.find((e) => e.name === 'workflow-history.json')!.data.toString('utf8'));
  const fromCli = JSON.parse(execFileSync(findTemporalCli()!, ['workflow', 'show', '--address', stack.temporalAddress, '--workflow-id', id, '--output', 'json'], { encoding: 'utf8' }));
  assert.deepEqual(fromBundle, fromCli);
  assert.ok(fromBundle.events.some((e: any) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED'));
  const missing = await stack.api('/api/jobs/generate-nope/debug-bundle');
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /no job "generate-nope"/);
});
