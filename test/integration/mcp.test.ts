// Atelier's MCP server driven by the SDK's own Client: over stdio (the process a desktop client starts) and over
// streamable HTTP on the API with the bearer token (refused without it). Tools for every pipeline, progress while
// waiting, previews as image content, jobs as resources, tool errors in the API's own words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn } from 'node:child_process';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { freePort } from '../../infra/local/ports.ts';

const SERVER = fileURLToPath(new URL('../../mcp/atelier-mcp.js', import.meta.url));
let stack: TestStack;
let root: string;
let stdio: Client;

const textOf = (result: any) => (result.content as any[]).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
const imagesOf = (result: any) => (result.content as any[]).filter((c) => c.type === 'image');

before(async () => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-roots-')));
  stack = await startTestStack({ comfyStepMs: 30, env: { ATELIER_BEVY_ROOTS: root } });
  stdio = new Client({ name: 'atelier-test', version: '1.0.0' });
  await stdio.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER], env: { ...process.env, ATELIER_URL: stack.apiUrl, ATELIER_TOKEN: stack.token } as Record<string, string>, stderr: 'ignore' }));
});
after(async () => {
  await stdio?.close().catch(() => {});
  await stack?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('over stdio: the tools of every pipeline with described inputs; generate_sprites, job_status, review_step, deploy_sprites', async () => {
  const { tools } = await stdio.listTools();
  const names = tools.map((t) => t.name);
  for (const name of ['generate_images', 'generate_sprites', 'job_status', 'list_jobs', 'review_step', 'deploy_sprites', 'undeploy_sprites', 'list_assets', 'view_asset', 'cancel_job', 'list_sprites', 'extract_layers', 'scene_export', 'create_campaign', 'campaign_details', 'list_characters', 'train_lora', 'lora_training', 'list_loras']) assert.ok(names.includes(name), `${name} is offered (${names.join(', ')})`);
  for (const tool of tools) {
    assert.ok(tool.description && tool.description.length > 20, `${tool.name} says what it does`);
    for (const [field, schema] of Object.entries((tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>)) assert.ok(schema.description, `${tool.name}.${field} has a description`);
  }

  const progress: { progress: number; total?: number; message?: string }[] = [];
  const made = await stdio.callTool({ name: 'generate_sprites', arguments: { prompts: ['a knight'], variants: 4, style: '16bit', project: 'mcp-game' } }, undefined, { onprogress: (p) => progress.push(p), timeout: 180_000 });
  assert.ok(!made.isError, textOf(made));
  const id = /started (sprites-\S+)/.exec(textOf(made))![1]!;
  assert.equal(imagesOf(made).length, 4, 'a preview per sprite awaiting review');
  for (const image of imagesOf(made)) {
    assert.equal(image.mimeType, 'image/png');
    assert.ok(Buffer.from(image.data, 'base64').length < 64 * 1024, 'previews are small');
  }
  assert.match(textOf(made), /awaiting review: step "s1-v1"/);
  assert.ok(progress.length >= 4, `progress notifications while waiting (${progress.length})`);
  assert.ok(progress.some((p) => p.total === 4 && /image \d of 4 made/.test(p.message ?? '')), JSON.stringify(progress.slice(0, 5)));

  const resource = await stdio.readResource({ uri: `atelier://jobs/${id}` });
  const detail = JSON.parse((resource.contents[0] as { text: string }).text);
  assert.equal(detail.state.pipeline, 'sprites');
  assert.equal(detail.state.awaitingReview.length, 4);
  const listed = await stdio.listResources();
  assert.ok(listed.resources.some((r) => r.uri === `atelier://jobs/${id}`));

  const wrong = await stdio.callTool({ name: 'review_step', arguments: { id, stepId: 's1-v1', decision: 'approve' } });
  assert.equal(wrong.isError, true);
  const direct = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 's1-v1', decision: 'approve' } });
  assert.equal(textOf(wrong), direct.body.error, 'the tool error is the API’s own sentence');

  const kept = await stdio.callTool({ name: 'review_step', arguments: { id, stepIds: ['s1-v1', 's1-v3'], decision: 'keep' } });
  assert.ok(!kept.isError, textOf(kept));
  await stdio.callTool({ name: 'review_step', arguments: { id, stepIds: ['s1-v2', 's1-v4'], decision: 'discard' } });
  const finished = await stdio.callTool({ name: 'job_status', arguments: { id, wait: 'finish' } }, undefined, { timeout: 120_000 });
  assert.match(textOf(finished), /COMPLETED/);

  const game = path.join(root, 'mcp-game');
  fs.mkdirSync(game);
  fs.writeFileSync(path.join(game, 'Cargo.toml'), '[package]\nname = "mcp-game"\n');
  const deployed = await stdio.callTool({ name: 'deploy_sprites', arguments: { id, project: game } });
  assert.ok(!deployed.isError, textOf(deployed));
  assert.match(textOf(deployed), /asset_server\.load\("sprites\/knight\.png"\)/);
  assert.match(textOf(deployed), /asset_server\.load\("sprites\/knight_2\.png"\)/);
  assert.ok(fs.existsSync(path.join(game, 'assets/sprites/knight_2.png')));
  const refused = await stdio.callTool({ name: 'deploy_sprites', arguments: { id, project: '/etc' } });
  assert.equal(refused.isError, true);
  assert.equal(textOf(refused), (await stack.api(`/api/sprites/${id}/deploy`, { method: 'POST', json: { project: '/etc' } })).body.error);

  const assets = await stdio.callTool({ name: 'list_assets', arguments: { id, kind: 'sprites' } });
  const assetId = /^(a_[0-9a-f]{24})/m.exec(textOf(assets))![1]!;
  const view = await stdio.callTool({ name: 'view_asset', arguments: { assetId, pixelArt: true, maxSide: 128 } });
  assert.equal(imagesOf(view).length, 1);
  const library = await stdio.callTool({ name: 'list_sprites', arguments: { project: 'mcp-game' } });
  assert.match(textOf(library), /knight_2/);
});

test('the scene and campaign starters: a picture sent as base64 is uploaded and its scene started; refusals in the API’s words', async () => {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#208040' } }).png().toBuffer();
  const scene = await stdio.callTool({ name: 'extract_layers', arguments: { imageBase64: png.toString('base64'), imageName: 'room.png', instructions: 'the green block', wait: 'none' } });
  assert.ok(!scene.isError, textOf(scene));
  const sceneId = /started (scene-\S+)/.exec(textOf(scene))![1]!;
  assert.equal((await stack.api(`/api/jobs/${sceneId}`)).body.job.pipeline, 'scene');
  await stack.api(`/api/jobs/${sceneId}/cancel`, { method: 'POST' });
  const noPicture = await stdio.callTool({ name: 'extract_layers', arguments: { instructions: 'anything' } });
  assert.equal(noPicture.isError, true);
  assert.match(textOf(noPicture), /give the picture/);
  const notAnImage = await stdio.callTool({ name: 'extract_layers', arguments: { imageBase64: Buffer.from('not a picture').toString('base64'), imageName: 'x.png' } });
  assert.equal(notAnImage.isError, true);
  assert.match(textOf(notAnImage), /is not an image Atelier can read/);
  // long enough for the tool's schema, too short once the API trims it: the API's own sentence comes back
  const short = await stdio.callTool({ name: 'create_campaign', arguments: { premise: '          x          ' } });
  assert.equal(short.isError, true);
  assert.equal(textOf(short), (await stack.api('/api/campaigns', { method: 'POST', json: { premise: '          x          ' } })).body.error);
  const tooMany = await stdio.callTool({ name: 'create_campaign', arguments: { premise: 'Smugglers in a drowned city bargain with a sea witch.', partySize: 11 } });
  assert.equal(tooMany.isError, true);
  assert.match(textOf(tooMany), /partySize/);
});

test('over streamable HTTP with the API token: generate_images returns previews and reports progress; without the token: refused', async () => {
  const http = new Client({ name: 'atelier-http-test', version: '1.0.0' });
  await http.connect(new StreamableHTTPClientTransport(new URL(`${stack.apiUrl}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${stack.token}` } } }));
  const { tools } = await http.listTools();
  assert.ok(tools.some((t) => t.name === 'generate_sprites'));
  const progress: unknown[] = [];
  const made = await http.callTool({ name: 'generate_images', arguments: { prompt: 'a lighthouse at dusk', count: 2, width: 256, height: 256, steps: 4 } }, undefined, { onprogress: (p) => progress.push(p), timeout: 120_000 });
  assert.ok(!made.isError, textOf(made));
  assert.equal(imagesOf(made).length, 2);
  assert.match(textOf(made), /COMPLETED/);
  assert.ok(progress.length >= 2, 'progress notifications over HTTP too');
  const jobs = await http.callTool({ name: 'list_jobs', arguments: { pipeline: 'generate' } });
  assert.match(textOf(jobs), /generate-\S+\s+generate\s+COMPLETED/);
  const bad = await http.callTool({ name: 'generate_images', arguments: { prompt: 'x', width: 100 } });
  assert.equal(bad.isError, true);
  assert.match(textOf(bad), /width must be a multiple of 8/);
  await http.close();

  for (const headers of [{}, { authorization: 'Bearer not-the-token-at-all' }] as Record<string, string>[]) {
    const stranger = new Client({ name: 'stranger', version: '1.0.0' });
    await assert.rejects(stranger.connect(new StreamableHTTPClientTransport(new URL(`${stack.apiUrl}/api/mcp`), { requestInit: { headers } })), /401|API token/);
  }
  const raw = await fetch(`${stack.apiUrl}/api/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(raw.status, 401);
});

test('the mcp role as a process of its own (infra/run-role.ts mcp): POST /api/mcp on ATELIER_MCP_PORT with the API token, tools calling ATELIER_URL', async () => {
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../infra/run-role.ts', import.meta.url)), 'mcp'], {
    env: { ...process.env, ATELIER_URL: stack.apiUrl, DATA_DIR: stack.dataDir, ATELIER_MCP_PORT: String(port), ATELIER_API_HOST: '127.0.0.1', ATELIER_API_TOKEN: '', ATELIER_TOKEN: '', DATABASE_URL: '', TEMPORAL_ADDRESS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  try {
    await until('the MCP server to listen', () => output.join('').includes('MCP server listening'), 30_000);
    const client = new Client({ name: 'role-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${stack.token}` } } }));
    assert.ok((await client.listTools()).tools.some((t) => t.name === 'deploy_sprites'));
    const jobs = await client.callTool({ name: 'list_jobs', arguments: { pipeline: 'sprites' } });
    assert.match(textOf(jobs), /sprites-\S+\s+sprites\s+COMPLETED/, 'the tools read the API at ATELIER_URL');
    await client.close();
    const stranger = new Client({ name: 'stranger', version: '1.0.0' });
    await assert.rejects(stranger.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/api/mcp`))), /401|API token/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/mcp`, { headers: { authorization: `Bearer ${stack.token}` } })).status, 405);
  } finally {
    child.kill('SIGTERM');
  }
});
