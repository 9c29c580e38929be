import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildGraph, findTemplate, loadTemplates } from '../../activities/templates.ts';

test('the built-in txt2img sets parameters on the graph and skips the LoRA node when no LoRA is asked for', async () => {
  const template = await findTemplate('txt2img');
  const graph = buildGraph(template, { prompt: 'a "quoted" lighthouse', width: 768, seed: 7 });
  assert.equal(graph['6']!.inputs.text, 'a "quoted" lighthouse');
  assert.equal(graph['5']!.inputs.width, 768);
  assert.equal(graph['3']!.inputs.seed, 7);
  assert.equal(graph['10'], undefined, 'LoRA node removed');
  assert.deepEqual(graph['3']!.inputs.model, ['4', 0], 'sampler takes the checkpoint model directly');
  assert.deepEqual(graph['6']!.inputs.clip, ['4', 1]);
  assert.equal(template.graph['6']!.inputs.text, '', 'the template itself is not changed');
});

test('with a LoRA the node stays and gets name and strength', async () => {
  const graph = buildGraph(await findTemplate('txt2img'), { prompt: 'p', lora: 'me.safetensors', loraStrength: 0.7 });
  assert.equal(graph['10']!.inputs.lora_name, 'me.safetensors');
  assert.equal(graph['10']!.inputs.strength_clip, 0.7);
  assert.deepEqual(graph['3']!.inputs.model, ['10', 0]);
});

test("a user's folder adds templates; a manifest naming a node or input its graph lacks is refused with both names", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-'));
  const graph = { '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } } };
  fs.writeFileSync(path.join(dir, 'flat.json'), JSON.stringify(graph));
  fs.writeFileSync(path.join(dir, 'flat.manifest.json'), JSON.stringify({ parameters: { width: { type: 'integer', targets: [['1', 'width']] } } }));
  fs.writeFileSync(path.join(dir, 'broken.json'), JSON.stringify(graph));
  fs.writeFileSync(path.join(dir, 'broken.manifest.json'), JSON.stringify({ parameters: { prompt: { type: 'string', targets: [['9', 'text']] } } }));
  fs.writeFileSync(path.join(dir, 'badinput.json'), JSON.stringify(graph));
  fs.writeFileSync(path.join(dir, 'badinput.manifest.json'), JSON.stringify({ parameters: { prompt: { type: 'string', targets: [['1', 'text']] } } }));
  const { templates, errors } = await loadTemplates(dir);
  assert.ok(templates.some((t) => t.id === 'flat' && t.source === 'user'));
  assert.match(errors.find((e) => e.file.endsWith('broken.manifest.json'))!.error, /parameter "prompt" names node 9, which its graph lacks/);
  assert.match(errors.find((e) => e.file.endsWith('badinput.manifest.json'))!.error, /input "text" of node 1 \(EmptyImage\)/);
  await assert.rejects(findTemplate('broken', dir), /node 9/);
  await assert.rejects(findTemplate('nope', dir), /no template "nope": choose one of/);
});
