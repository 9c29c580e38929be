import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTemplates, pickTemplate, templateCatalogue } from '../../core/templates/catalogue.ts';
import { buildGraph } from '../../core/templates/graph.ts';
import { until } from '../support/stack.ts';

const made: string[] = [];
const tempDir = () => { const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-')); made.push(dir); return dir; };
after(() => { for (const dir of made) fs.rmSync(dir, { recursive: true, force: true }); });

const findTemplate = async (id: string, dir?: string) => pickTemplate(await loadTemplates(dir), id);
const TOGGLE_NODES = ['20', '21', '22', '30', '31', '32', '33', '40', '41', '50', '51'];

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

test('with every toggle off the graph is the plain SDXL chain: no toggle node, links bypass them', async () => {
  const graph = buildGraph(await findTemplate('txt2img'), { prompt: 'p' });
  assert.deepEqual(Object.keys(graph).sort(), ['3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(graph['3']!.inputs.positive, ['6', 0]);
  assert.deepEqual(graph['3']!.inputs.negative, ['7', 0]);
  assert.deepEqual(graph['9']!.inputs.images, ['8', 0], 'Save takes the decoded image when neither face detailer nor upscale is on');
  for (const node of TOGGLE_NODES) assert.equal(graph[node], undefined, `node ${node} is left out`);
});

test('each toggle on adds exactly its nodes, wired in, with its parameters set', async () => {
  const template = await findTemplate('txt2img');
  const cases: [Record<string, unknown>, string[], (g: ReturnType<typeof buildGraph>) => void][] = [
    [{ controlnet: true, controlImage: 'control-file.png', controlStrength: 0.5 }, ['20', '21', '22'], (g) => {
      assert.deepEqual([g['3']!.inputs.positive, g['3']!.inputs.negative], [['22', 0], ['22', 1]]);
      assert.equal(g['22']!.inputs.strength, 0.5);
      assert.equal(g['21']!.inputs.image, 'control-file.png');
    }],
    [{ ipAdapter: true, referenceImage: 'ref.png', ipAdapterWeight: 1.2 }, ['30', '31', '32', '33'], (g) => {
      assert.deepEqual(g['3']!.inputs.model, ['33', 0]);
      assert.deepEqual(g['33']!.inputs.model, ['4', 0], 'the IP-Adapter takes the checkpoint model when no LoRA is used');
      assert.equal(g['33']!.inputs.weight, 1.2);
    }],
    [{ faceDetailer: true, seed: 9, steps: 12 }, ['40', '41'], (g) => {
      assert.deepEqual(g['9']!.inputs.images, ['41', 0]);
      assert.deepEqual(g['41']!.inputs.image, ['8', 0]);
      assert.equal(g['41']!.inputs.seed, 9, 'the face detailer samples with the job seed');
      assert.equal(g['41']!.inputs.steps, 12);
    }],
    [{ upscale: true, upscaleModel: '2x-Lite.pth' }, ['50', '51'], (g) => {
      assert.deepEqual(g['9']!.inputs.images, ['51', 0]);
      assert.deepEqual(g['51']!.inputs.image, ['8', 0], 'upscale takes the decoded image when the face detailer is off');
      assert.equal(g['50']!.inputs.model_name, '2x-Lite.pth');
    }],
  ];
  for (const [values, nodes, check] of cases) {
    const graph = buildGraph(template, { prompt: 'p', ...values });
    const present = TOGGLE_NODES.filter((n) => graph[n]);
    assert.deepEqual(present, nodes, `${Object.keys(values)[0]} adds its nodes only`);
    check(graph);
  }
  const all = buildGraph(template, { prompt: 'p', controlnet: true, ipAdapter: true, faceDetailer: true, upscale: true, lora: 'me.safetensors' });
  assert.deepEqual(TOGGLE_NODES.filter((n) => all[n]), TOGGLE_NODES);
  assert.deepEqual([all['9']!.inputs.images, all['51']!.inputs.image, all['41']!.inputs.image], [['51', 0], ['41', 0], ['8', 0]], 'decode → face detailer → upscale → save');
  assert.deepEqual(all['33']!.inputs.model, ['10', 0], 'the IP-Adapter takes the LoRA model');
});

test('with a LoRA the node stays and gets name and strength', async () => {
  const graph = buildGraph(await findTemplate('txt2img'), { prompt: 'p', lora: 'me.safetensors', loraStrength: 0.7 });
  assert.equal(graph['10']!.inputs.lora_name, 'me.safetensors');
  assert.equal(graph['10']!.inputs.strength_clip, 0.7);
  assert.deepEqual(graph['3']!.inputs.model, ['10', 0]);
});

function writeTemplate(dir: string, id: string, graph: unknown, manifest: unknown): void {
  fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(graph));
  fs.writeFileSync(path.join(dir, `${id}.manifest.json`), JSON.stringify(manifest));
}

const FLAT = { '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } } };

test("a user's folder adds templates; a manifest naming a node or input its graph lacks is refused with both names", async () => {
  const dir = tempDir();
  writeTemplate(dir, 'flat', FLAT, { parameters: { width: { type: 'integer', targets: [['1', 'width']] } } });
  writeTemplate(dir, 'broken', FLAT, { parameters: { prompt: { type: 'string', targets: [['9', 'text']] } } });
  writeTemplate(dir, 'badinput', FLAT, { parameters: { prompt: { type: 'string', targets: [['1', 'text']] } } });
  writeTemplate(dir, 'reserved', FLAT, { parameters: { count: { type: 'integer', targets: [['1', 'batch_size']] } } });
  writeTemplate(dir, 'nobypass', FLAT, { parameters: { blank: { type: 'toggle', nodes: ['1'] } } });
  writeTemplate(dir, 'stray', FLAT, { parameters: { level: { type: 'integer', toggle: 'missing', targets: [['1', 'color']] } } });
  const { templates, errors } = await loadTemplates(dir);
  const error = (file: string) => errors.find((e) => e.file.endsWith(`${file}.manifest.json`))?.error ?? '';
  assert.ok(templates.some((t) => t.id === 'flat' && t.source === 'user'));
  assert.match(error('broken'), /parameter "prompt" names node 9, which its graph lacks/);
  assert.match(error('badinput'), /input "text" of node 1 \(EmptyImage\)/);
  assert.match(error('reserved'), /parameter "count" has a name the job itself uses/);
  assert.match(error('nobypass'), /node 1 was left out but "bypass" names nothing in place of its output 0, which node 2 uses/);
  assert.match(error('stray'), /belongs to toggle "missing", which the manifest does not declare as a toggle/);
  await assert.rejects(findTemplate('broken', dir), /node 9/);
  await assert.rejects(findTemplate('nope', dir), /no template "nope": choose one of/);
});

test('the catalogue reads the folders once and again only after a file in them changes', async () => {
  const dir = tempDir();
  writeTemplate(dir, 'first', FLAT, { parameters: { width: { type: 'integer', targets: [['1', 'width']] } } });
  const catalogue = templateCatalogue({ userDir: dir });
  try {
    const before = await catalogue.snapshot();
    assert.ok(before.templates.some((t) => t.id === 'first'));
    for (let i = 0; i < 5; i++) assert.equal(await catalogue.snapshot(), before, 'nothing changed: the same snapshot, no reading');

    writeTemplate(dir, 'second', FLAT, { title: 'Second', parameters: { height: { type: 'integer', targets: [['1', 'height']] } } });
    const after = await until('the new template to show', async () => {
      const snapshot = await catalogue.snapshot();
      return snapshot.templates.some((t) => t.id === 'second') ? snapshot : undefined;
    }, 10_000, 50);
    assert.ok(after.generation > before.generation);

    fs.writeFileSync(path.join(dir, 'second.manifest.json'), JSON.stringify({ title: 'Second, renamed', parameters: { height: { type: 'integer', targets: [['1', 'height']] } } }));
    await until('the edited title to show', async () => (await catalogue.find('second')).title === 'Second, renamed', 10_000, 50);
    fs.rmSync(path.join(dir, 'first.manifest.json'));
    await until('the removed template to go', async () => !(await catalogue.snapshot()).templates.some((t) => t.id === 'first'), 10_000, 50);
    const settled = await catalogue.snapshot();
    assert.equal(await catalogue.snapshot(), settled);
  } finally {
    catalogue.close();
  }
});
