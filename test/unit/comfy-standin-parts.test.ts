// The stand-in's optional parts (ControlNet, upscale, IP-Adapter, face detailer) driven by the built-in SDXL
// template's toggles, and a server without a node pack.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startComfyStandin, type ComfyStandin } from '../../infra/local/comfy-standin/server.ts';
import { loadTemplates, pickTemplate } from '../../core/templates/catalogue.ts';
import { buildGraph } from '../../core/templates/graph.ts';
import { checkAgainstServer } from '../../core/templates/server.ts';
import { comfyClient } from '../../core/comfy/client.ts';
import { upscaleFactor } from '../../infra/local/comfy-standin/nodes/upscale.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'comfy-parts-'));
const standin: ComfyStandin = await startComfyStandin({ port: 0, dataDir, stepMs: 1, nodeMs: 1, quiet: true });
const client = comfyClient(standin.url);
after(async () => {
  await standin.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(values: Record<string, unknown>): Promise<{ status: string; image?: Buffer; error?: string }> {
  const template = pickTemplate(await loadTemplates(), 'txt2img');
  const graph = buildGraph(template, { prompt: 'a lighthouse', width: 128, height: 96, steps: 2, seed: 5, ...values });
  checkAgainstServer(template, graph, values, await client.objectInfo(), 'demo');
  const promptId = crypto.randomUUID();
  await client.queuePrompt(graph, { promptId, clientId: 'parts' });
  for (let i = 0; i < 500; i++) {
    const entry = await client.history(promptId);
    if (entry) {
      const image = Object.values(entry.outputs).flatMap((o) => o.images ?? [])[0];
      const error = entry.status.messages.find(([type]) => type === 'execution_error')?.[1];
      return { status: entry.status.status_str, image: image && await client.view(image), error: error && String(error.exception_message) };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the prompt did not finish');
}

test("object_info describes the parts' nodes with the input shapes of their real sources", async () => {
  const info = await client.objectInfo() as Record<string, any>;
  assert.deepEqual(info.ControlNetApplyAdvanced.input.required.strength, ['FLOAT', { default: 1.0, min: 0.0, max: 10.0, step: 0.01 }]);
  assert.deepEqual(info.ControlNetApplyAdvanced.input.optional, { vae: ['VAE'] });
  assert.deepEqual(info.ControlNetApplyAdvanced.output_name, ['positive', 'negative']);
  assert.deepEqual(info.UpscaleModelLoader.input.required.model_name, ['COMBO', { options: ['atelier-demo-2x.pth'] }], 'V3 schema combo');
  assert.equal(info.UpscaleModelLoader.python_module, 'comfy_extras.nodes_upscale_model');
  assert.deepEqual(info.IPAdapterAdvanced.input.required.weight, ['FLOAT', { default: 1.0, min: -1, max: 5, step: 0.05 }]);
  assert.deepEqual(Object.keys(info.IPAdapterAdvanced.input.optional), ['image_negative', 'attn_mask', 'clip_vision']);
  assert.equal(info.IPAdapterAdvanced.python_module, 'custom_nodes.ComfyUI_IPAdapter_plus');
  assert.deepEqual(info.FaceDetailer.output_is_list, [false, true, true, false, false, true]);
  assert.deepEqual(info.FaceDetailer.input.required.denoise, ['FLOAT', { default: 0.5, min: 0.0001, max: 1.0, step: 0.01 }]);
  assert.ok(info.FaceDetailer.input.required.scheduler[0].includes('AYS SDXL'));
  assert.deepEqual(info.UltralyticsDetectorProvider.input.required.model_name, [['bbox/atelier-demo-face.pt']]);
  assert.deepEqual([upscaleFactor('4x-UltraSharp.pth'), upscaleFactor('RealESRGAN_x2plus.pth'), upscaleFactor('atelier-demo-2x.pth'), upscaleFactor('plain.pth')], [4, 2, 2, 4]);
});

test('each toggle changes the picture; upscale doubles its size with the demo model', async () => {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 250, g: 20, b: 20 } } }).png().toBuffer();
  writeFileSync(path.join(dataDir, 'input', 'red.png'), png);
  const plain = await run({});
  assert.equal(plain.status, 'success');
  const looks = new Set([plain.image!.toString('base64')]);
  for (const values of [{ controlnet: true, controlImage: 'red.png' }, { ipAdapter: true, referenceImage: 'red.png', ipAdapterWeight: 1 }, { faceDetailer: true }]) {
    const result = await run(values);
    assert.equal(result.status, 'success', result.error);
    const meta = await sharp(result.image!).metadata();
    assert.deepEqual([meta.width, meta.height], [128, 96]);
    looks.add(result.image!.toString('base64'));
  }
  assert.equal(looks.size, 4, 'ControlNet, IP-Adapter and the face detailer each change the image');
  const upscaled = await run({ upscale: true, faceDetailer: true });
  assert.equal(upscaled.status, 'success', upscaled.error);
  const meta = await sharp(upscaled.image!).metadata();
  assert.deepEqual([meta.width, meta.height], [256, 192]);
  const log = readFileSync(path.join(dataDir, 'standin-events.jsonl'), 'utf8');
  assert.ok(log.includes('"executed"'));
});

test('a server without a node pack: its classes leave /object_info and /prompt refuses them as missing', async () => {
  const set = async (without: string[]) => (await fetch(`${standin.url}/__standin/node-packs`, { method: 'POST', body: JSON.stringify({ without }) })).json();
  const packs = await set(['ComfyUI-Impact-Pack']);
  assert.deepEqual(packs.packs.find((p: any) => p.name === 'ComfyUI-Impact-Pack'), { name: 'ComfyUI-Impact-Pack', installed: false });
  try {
    assert.deepEqual(await (await fetch(`${standin.url}/object_info/FaceDetailer`)).json(), {});
    assert.ok((await client.objectInfo()).UltralyticsDetectorProvider, 'the subpack is still there');
    const template = pickTemplate(await loadTemplates(), 'txt2img');
    const graph = buildGraph(template, { prompt: 'p', faceDetailer: true });
    const response = await fetch(`${standin.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: graph, client_id: 'x' }) });
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error.type, 'missing_node_type');
    assert.equal(body.error.message, "Node 'FaceDetailer' not found. The custom node may not be installed.");
    const bad = await fetch(`${standin.url}/__standin/node-packs`, { method: 'POST', body: JSON.stringify({ without: ['Impact'] }) });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /unknown node pack Impact/);
  } finally {
    await set([]);
  }
  assert.ok((await client.objectInfo()).FaceDetailer);
});
