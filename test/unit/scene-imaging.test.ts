// The scene pipeline's pure parts: pixel checks, masks, plan rules, reframe geometry, the OpenRaster writer, and the
// stand-ins' scene pieces (planner reply, RMBG's object_info).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { checkBackgroundRemoval, checkCleanPlate, checkExtraction, checkReframe } from '../../activities/imaging/checks.ts';
import { autoMask, checkMaskSize, maskArea, whitenOutside } from '../../activities/imaging/masks.ts';
import type { Raster } from '../../activities/imaging/raster.ts';
import { buildOra } from '../../activities/imaging/ora.ts';
import { nextVariation, planProblems, reframeGeometry, DEFAULT_THRESHOLDS } from '../../workflows/scene-plan.ts';
import { readZip } from '../support/zip.ts';
import { objectInfo } from '../../infra/local/comfy-standin/nodes/object-info.ts';
import { replyFor } from '../../infra/local/openai-standin/replies/index.ts';
import { viewOf } from '../../infra/local/openai-standin/replies/request.ts';

function raster(width: number, height: number, fill: [number, number, number], square?: { x: number; y: number; size: number; rgb: [number, number, number] }): Raster {
  const data = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(fill, p * 3);
  if (square) for (let y = square.y; y < square.y + square.size; y++) for (let x = square.x; x < square.x + square.size; x++) data.set(square.rgb, (y * width + x) * 3);
  return { width, height, channels: 3, data };
}
const RED = { x: 10, y: 10, size: 20, rgb: [200, 40, 40] as [number, number, number] };

test('EXTRACT: the target on white passes; an empty result, a coloured border or a wrong size fail with their metric', () => {
  const t = { ...DEFAULT_THRESHOLDS.EXTRACT, minCoverage: 0.05, maxCoverage: 0.3 };
  const good = checkExtraction(raster(60, 50, [255, 255, 255], RED), { width: 60, height: 50 }, t);
  assert.equal(good.passed, true);
  assert.equal(good.metrics.find((m) => m.name === 'coverage')!.value, Math.round((400 / 3000) * 10000) / 10000);
  const empty = checkExtraction(raster(60, 50, [255, 255, 255]), { width: 60, height: 50 }, t);
  assert.deepEqual(empty.metrics.filter((m) => !m.pass).map((m) => m.name), ['coverage']);
  const border = checkExtraction(raster(60, 50, [0, 128, 0], RED), { width: 60, height: 50 }, t);
  assert.ok(border.metrics.some((m) => m.name === 'borderWhite' && !m.pass));
  assert.deepEqual(checkExtraction(raster(61, 50, [255, 255, 255], RED), { width: 60, height: 50 }, t).metrics.map((m) => [m.name, m.pass]), [['sameSize', false]]);
});

test('REMOVE: a plate that keeps the outside passes; a shifted plate fails outsideDiff', () => {
  const source = raster(60, 50, [60, 150, 70], RED);
  const mask = autoMask(raster(60, 50, [255, 255, 255], RED), 2);
  assert.equal(maskArea(mask), 24 * 24);
  const plate = raster(60, 50, [60, 150, 70]);
  assert.equal(checkCleanPlate(plate, source, mask, DEFAULT_THRESHOLDS.REMOVE).passed, true);
  const shifted = raster(60, 50, [60, 150, 70], { ...RED, x: 30 });
  const check = checkCleanPlate(shifted, source, mask, DEFAULT_THRESHOLDS.REMOVE);
  assert.deepEqual(check.metrics.filter((m) => !m.pass).map((m) => m.name), ['outsideDiff']);
});

test('BG_REMOVE needs alpha and coverage; REFRAME needs the aspect and the original in place', () => {
  const rgba: Raster = { width: 10, height: 10, channels: 4, data: Buffer.alloc(400) };
  for (let p = 0; p < 30; p++) rgba.data[p * 4 + 3] = 255;
  assert.equal(checkBackgroundRemoval(rgba, { width: 10, height: 10 }, DEFAULT_THRESHOLDS.BG_REMOVE).passed, true);
  assert.equal(checkBackgroundRemoval(raster(10, 10, [1, 2, 3]), { width: 10, height: 10 }, DEFAULT_THRESHOLDS.BG_REMOVE).passed, false);
  const geometry = reframeGeometry(160, 120, 16 / 9);
  assert.deepEqual(geometry, { width: 213, height: 120, left: 26, top: 0 });
  assert.deepEqual(reframeGeometry(160, 120, 16 / 9, 8), { width: 216, height: 120, left: 24, top: 0 });
  const input = raster(160, 120, [10, 20, 30], RED);
  const output = raster(213, 120, [90, 90, 90]);
  for (let y = 0; y < 120; y++) input.data.copy(output.data, (y * 213 + 26) * 3, y * 160 * 3, (y + 1) * 160 * 3);
  assert.equal(checkReframe(output, input, { left: 26, top: 0 }, 16 / 9, DEFAULT_THRESHOLDS.REFRAME).passed, true);
  assert.equal(checkReframe(output, input, { left: 20, top: 0 }, 16 / 9, DEFAULT_THRESHOLDS.REFRAME).passed, false);
});

test('masks: a wrong size is refused in words; an EXTRACT limited to its mask sees white elsewhere', () => {
  assert.throws(() => checkMaskSize({ width: 10, height: 10 }, { width: 12, height: 10 }), /the mask is 10 × 10 pixels but the step's image is 12 × 10/);
  const mask: Raster = { width: 4, height: 1, channels: 1, data: Buffer.from([255, 0, 255, 0]) };
  assert.deepEqual([...whitenOutside(raster(4, 1, [1, 2, 3]), mask).data], [1, 2, 3, 255, 255, 255, 1, 2, 3, 255, 255, 255]);
});

test('plan rules: ids, types, variations, AUTO masks after a layer, REFRAME aspects; variations tried in order', () => {
  const step = { id: 'extract-a', type: 'EXTRACT', target: 'a', prompt: 'p', variations: ['v1', 'v2', 'v3'], mask: 'NONE', thresholds: {} };
  assert.deepEqual(planProblems({ summary: 's', globalRules: [], steps: [step, { ...step, id: 'remove-a', type: 'REMOVE', mask: 'AUTO' }] }), []);
  const problems = planProblems({ summary: 's', globalRules: [], steps: [{ ...step, type: 'REMOVE', mask: 'AUTO' }, { ...step, variations: ['x'] }, { ...step, id: 'r', type: 'REFRAME' }] });
  assert.deepEqual(problems, [
    'step 1 (extract-a): an AUTO mask comes from an earlier EXTRACT or BG_REMOVE layer, and there is none before it',
    'step 2 (extract-a): the id is used twice',
    'step 2 (extract-a): variations must be 3 to 5 prompt texts',
    'step 3 (r): a REFRAME step needs aspect, such as "16:9"',
  ]);
  assert.equal(nextVariation(step as never, ['p']), 'v1');
  assert.equal(nextVariation(step as never, ['p', 'v1', 'v2', 'v3']), undefined);
});

test('the .ora: mimetype first and stored, stack.xml with names and offsets, merged image and thumbnail', async () => {
  const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 1 } } }).png().toBuffer();
  const entries = await readZip(await buildOra({ width: 600, height: 300 }, [{ name: 'lamp & "shade"', png, x: 12, y: 7, visible: true }, { name: 'plate', png, x: 0, y: 0, visible: false }]));
  assert.deepEqual(entries.map((e) => [e.name, e.compressionMethod]), [['mimetype', 0], ['stack.xml', 8], ['data/layer01.png', 0], ['data/layer02.png', 0], ['mergedimage.png', 0], ['Thumbnails/thumbnail.png', 0]]);
  assert.equal(entries[0]!.data.toString(), 'image/openraster');
  const xml = entries[1]!.data.toString();
  assert.match(xml, /<layer name="lamp &amp; &quot;shade&quot;" src="data\/layer01.png" x="12" y="7" opacity="1.0" visibility="visible"/);
  assert.match(xml, /name="plate" src="data\/layer02.png" x="0" y="0" opacity="1.0" visibility="hidden"/);
  const thumb = await sharp(entries[5]!.data).metadata();
  assert.deepEqual([thumb.width, thumb.height], [256, 128]);
});

test('the stand-ins: the planner reply plans each coloured object; RMBG is listed as ComfyUI-RMBG declares it', async () => {
  const picture = await sharp(Buffer.from(raster(96, 64, [60, 150, 70], RED).data), { raw: { width: 96, height: 64, channels: 3 } }).png().toBuffer();
  const view = viewOf({ model: 'llava', messages: [{ role: 'user', content: [{ type: 'text', text: 'reframe to 16:9 please' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${picture.toString('base64')}` } }] }], response_format: { type: 'json_schema', json_schema: { name: 'scene_plan', schema: {} } } });
  const plan = JSON.parse((await replyFor(view)).text);
  assert.deepEqual(plan.steps.map((s: { id: string }) => s.id), ['extract-red', 'remove-red', 'reframe']);
  assert.deepEqual(planProblems(plan), []);
  const info = objectInfo({ inputImageNames: () => [], checkpointNames: () => [], loraNames: () => [] } as never, 'RMBG').RMBG as any;
  assert.deepEqual(info.input.required.model, [['RMBG-2.0', 'INSPYRENET', 'BEN', 'BEN2'], { tooltip: 'Select the background removal model to use (RMBG-2.0, INSPYRENET, BEN).' }]);
  assert.deepEqual(info.input.optional.background, [['Alpha', 'Color'], { default: 'Alpha', tooltip: 'Choose output type: Alpha (transparent) or Color (custom background color).' }]);
  assert.deepEqual(info.input.optional.background_color[0], 'COLORCODE');
  assert.deepEqual([info.output, info.output_name, info.python_module], [['IMAGE', 'MASK', 'IMAGE'], ['IMAGE', 'MASK', 'MASK_IMAGE'], 'custom_nodes.ComfyUI-RMBG']);
});
