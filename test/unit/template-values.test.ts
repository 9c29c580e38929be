// Values a job gives its template, checked against the manifest and against a server's /object_info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateInputSchema, generateTemplateValues } from '../../core/generate-input.ts';
import { loadTemplates, pickTemplate } from '../../core/templates/catalogue.ts';
import { buildGraph } from '../../core/templates/graph.ts';
import { checkAgainstServer, toggleUnavailable } from '../../core/templates/server.ts';
import { describeTemplate } from '../../core/templates/describe.ts';
import type { ComfyTemplate } from '../../core/templates/manifest.ts';
import type { ObjectInfo } from '../../core/comfy/client.ts';

const custom: ComfyTemplate = {
  id: 'mine', source: 'user', title: 'Mine', description: '',
  graph: {
    '1': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
    '2': { class_type: 'KSampler', inputs: { seed: 0, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, latent_image: ['1', 0] } },
    '3': { class_type: 'CLIPTextEncode', inputs: { text: '' } },
    '4': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'x' } },
  },
  manifest: {
    parameters: {
      prompt: { type: 'string', targets: [['3', 'text']] },
      passes: { type: 'integer', targets: [['2', 'steps']], default: 20, max: 60 },
      strength: { type: 'number', targets: [['2', 'denoise']], min: 0.1 },
      sampler: { type: 'combo', targets: [['2', 'sampler_name']] },
      style: { type: 'string', targets: [['4', 'filename_prefix']], options: ['ink', 'oil'] },
    },
    bypass: {}, nodePacks: {},
  },
};

const serverInfo: ObjectInfo = {
  EmptyLatentImage: { input: { required: { width: ['INT', { min: 16, max: 16384 }], height: ['INT', { min: 16, max: 16384 }], batch_size: ['INT', { min: 1, max: 4096 }] } } },
  KSampler: { input: { required: { seed: ['INT', { min: 0 }], steps: ['INT', { min: 1, max: 10000 }], cfg: ['FLOAT', { min: 0, max: 100 }], sampler_name: [['euler', 'dpmpp_2m']], scheduler: [['normal', 'karras']], denoise: ['FLOAT', { min: 0, max: 1 }] } } },
  CLIPTextEncode: { input: { required: { text: ['STRING', {}] } } },
  SaveImage: { input: { required: { filename_prefix: ['STRING', {}] } } },
};

const request = (body: Record<string, unknown>) => generateInputSchema.parse({ prompt: 'a lighthouse', template: 'mine', ...body });
const values = (body: Record<string, unknown>) => generateTemplateValues(request(body), custom, [custom]);

test('a user template: valid integer, number, combo and string values reach the graph', () => {
  const given = values({ params: { passes: 30, strength: 0.5, sampler: 'dpmpp_2m', style: 'oil' } });
  const graph = buildGraph(custom, given);
  assert.deepEqual([graph['2']!.inputs.steps, graph['2']!.inputs.denoise, graph['2']!.inputs.sampler_name, graph['4']!.inputs.filename_prefix, graph['3']!.inputs.text],
    [30, 0.5, 'dpmpp_2m', 'oil', 'a lighthouse']);
  assert.deepEqual(checkAgainstServer(custom, graph, given, serverInfo, 'dgx'), []);
});

test('out of the manifest: wrong types, limits, options and undeclared names are refused, naming the parameter and what it allows', () => {
  assert.throws(() => values({ params: { passes: 2.5 } }), /passes must be a whole number; got 2\.5/);
  assert.throws(() => values({ params: { passes: 61 } }), /passes must be 60 or less; got 61/);
  assert.throws(() => values({ params: { strength: 0 } }), /strength must be 0\.1 or more; got 0/);
  assert.throws(() => values({ params: { strength: 'high' } }), /strength must be a number; got "high"/);
  assert.throws(() => values({ params: { style: 'pastel' } }), /style must be one of "ink", "oil"; got "pastel"/);
  assert.throws(() => values({ params: { colour: 'red' } }), /template "mine" has no parameter "colour": its parameters are prompt, passes, strength, sampler, style/);
  assert.throws(() => values({ width: 512 }), /template "mine" takes no width: leave width out/);
  assert.throws(() => values({ params: { prompt: 'again' } }), /prompt is given twice/);
});

test("against ComfyUI's /object_info: a value outside its min/max or an option it lacks is refused, naming the parameter and the allowed values", () => {
  const check = (params: Record<string, unknown>) => { const v = values({ params }); return checkAgainstServer(custom, buildGraph(custom, v), v, serverInfo, 'dgx'); };
  assert.throws(() => check({ sampler: 'lcm' }), /sampler must be one of "euler", "dpmpp_2m" \(what ComfyUI on pool dgx offers for KSampler sampler_name\); got "lcm"/);
  const narrower = structuredClone(serverInfo);
  narrower.KSampler!.input.required!.denoise = ['FLOAT', { min: 0.2, max: 1 }];
  const v = values({ params: { strength: 0.15 } });
  assert.throws(() => checkAgainstServer(custom, buildGraph(custom, v), v, narrower, 'dgx'), /strength must be from 0\.2 to 1 \(ComfyUI's limits for KSampler denoise\); got 0\.15/);
  const missing = structuredClone(serverInfo);
  delete (missing as Record<string, unknown>).KSampler;
  assert.throws(() => checkAgainstServer(custom, buildGraph(custom, {}), {}, missing, 'dgx'), /ComfyUI has no node type "KSampler" \(node 2 of template "mine"\) on pool dgx: install that custom node/);
});

test('the form view of a template carries the narrower of the manifest limits and the server limits, and the server options', () => {
  const described = describeTemplate(custom, { pool: 'dgx', objectInfo: serverInfo });
  const param = (name: string) => described.parameters.find((p) => p.name === name)!;
  assert.deepEqual([param('passes').min, param('passes').max], [1, 60]);
  assert.deepEqual(param('sampler').options, ['euler', 'dpmpp_2m']);
  assert.deepEqual(param('style').options, ['ink', 'oil']);
});

test('the SDXL toggles: parameters of a toggle that is off are refused, images of one that is on are required', async () => {
  const snapshot = await loadTemplates();
  const txt2img = pickTemplate(snapshot, 'txt2img');
  const sdxl = (body: Record<string, unknown>) => generateTemplateValues(generateInputSchema.parse({ prompt: 'p', ...body }), txt2img, snapshot.templates);
  assert.throws(() => sdxl({ params: { controlStrength: 0.5 } }), /controlStrength belongs to ControlNet, which is off: turn on controlnet or leave controlStrength out/);
  assert.throws(() => sdxl({ params: { controlnet: true } }), /ControlNet needs a control image: pass "controlImage": "<asset id>"/);
  assert.throws(() => sdxl({ params: { upscale: 'yes' } }), /upscale must be true or false/);
  assert.throws(() => sdxl({ image: 'a_000000000000000000000000' }), /template "txt2img" takes no image: use a template that does \(img2img[^)]*\) or leave image out/);
  assert.deepEqual(sdxl({ params: { upscale: true } }), { prompt: 'p', upscale: true });
});

test('a toggle whose node or model the server lacks is unavailable, naming the node pack or the model folder', async () => {
  const txt2img = pickTemplate(await loadTemplates(), 'txt2img');
  const graph = buildGraph(txt2img, { prompt: 'p', faceDetailer: true, upscale: true });
  const info: ObjectInfo = Object.fromEntries(Object.values(txt2img.graph).map((n) => [n.class_type, { input: { required: {} } }]));
  info.UpscaleModelLoader = { input: { required: { model_name: ['COMBO', { options: [] }] } } };
  delete info.FaceDetailer;
  assert.equal(toggleUnavailable(txt2img, 'faceDetailer', info, 'dgx'), 'Face detailer needs node type "FaceDetailer", which ComfyUI on pool dgx lacks: install ComfyUI Impact Pack on pool dgx');
  assert.equal(toggleUnavailable(txt2img, 'upscale', info, 'dgx'), 'Upscale needs a model, and ComfyUI on pool dgx has none for Upscale model: put one in its models/upscale_models folder');
  assert.equal(toggleUnavailable(txt2img, 'controlnet', info, 'dgx'), undefined);
  assert.throws(() => checkAgainstServer(txt2img, graph, { faceDetailer: true }, info, 'dgx'), /install ComfyUI Impact Pack on pool dgx/);

  info.FaceDetailer = { input: { required: {} } };
  info.UpscaleModelLoader = { input: { required: { model_name: ['COMBO', { options: ['2x-Lite.pth', 'RealESRGAN_x4.pth'] }] } } };
  const notes = checkAgainstServer(txt2img, graph, { faceDetailer: true, upscale: true }, info, 'dgx');
  assert.deepEqual(notes, ['upscaleModel 4x-UltraSharp.pth is not on this ComfyUI server; using 2x-Lite.pth']);
  assert.equal(graph['50']!.inputs.model_name, '2x-Lite.pth');
  assert.throws(() => checkAgainstServer(txt2img, buildGraph(txt2img, { upscale: true, upscaleModel: 'nope.pth' }), { upscale: true, upscaleModel: 'nope.pth' }, info, 'dgx'),
    /ComfyUI on pool dgx has no Upscale model "nope\.pth" \(upscaleModel\); it has: "2x-Lite\.pth", "RealESRGAN_x4\.pth"/);
});
