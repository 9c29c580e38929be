// The scene pipeline's pure parts: pixel checks, masks, plan rules, reframe geometry, the OpenRaster writer, and the
// stand-ins' scene pieces (planner reply, RMBG's object_info).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { checkBackgroundRemoval, checkCleanPlate, checkExtraction, checkReframe } from '../../activities/imaging/checks.ts';
import { autoMask, checkMaskSize, maskArea, whitenOutside } from '../../activities/imaging/masks.ts';
import { decodeMask, decodeRaster, encodePng, type Raster } from '../../activities/imaging/raster.ts';
import { borderWhite, countAtLeastHalf, countNonWhite } from '../../activities/imaging/pixel-scan.ts';
import { plateDifference, regionDifference } from '../../activities/imaging/difference.ts';
import { checkStepOutput } from '../../activities/imaging/validate.ts';
import { kernels } from '../../activities/imaging/kernels.ts';
import crypto from 'node:crypto';
import fs from 'node:fs';
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

/** the checks' loops written plainly, one byte at a time: what the word-at-a-time loops must count exactly */
const reference = {
  nonWhite({ width, height, channels, data }: Raster, tolerance: number) {
    let n = 0;
    for (let p = 0; p < width * height; p++) {
      const i = p * channels;
      const floor = 255 - tolerance;
      if (!((channels === 4 && data[i + 3]! < 16) || (data[i]! >= floor && data[i + 1]! >= floor && data[i + 2]! >= floor))) n++;
    }
    return n;
  },
  border(image: Raster, tolerance: number) {
    const r = { border: 0, white: 0 };
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        if (x > 0 && y > 0 && x < image.width - 1 && y < image.height - 1) continue;
        r.border++;
        if (reference.nonWhite({ ...image, width: 1, height: 1, data: image.data.subarray((y * image.width + x) * image.channels) }, tolerance) === 0) r.white++;
      }
    }
    return r;
  },
  plate(a: Raster, b: Raster, m?: Raster) {
    const r = { outsideSum: 0, inside: 0, changed: 0, changedInside: 0 };
    for (let p = 0; p < b.width * b.height; p++) {
      let sum = 0;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.data[p * a.channels + c]! - b.data[p * b.channels + c]!);
      const inMask = m !== undefined && m.data[p]! >= 128;
      if (sum > 72 && !m) r.changed++;
      if (inMask) { r.inside++; if (sum > 72) r.changedInside++; } else r.outsideSum += sum;
    }
    return r;
  },
};

/** deterministic pixels near white and far from it, some runs of pure white, placed at a given byte offset */
function noisy(width: number, height: number, channels: 1 | 3 | 4, seed: number, offset = 0): Raster {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
  const data = Buffer.alloc(width * height * channels + offset).subarray(offset);
  for (let i = 0; i < data.length; i++) {
    const kind = (i >> 5) % 4;
    data[i] = kind === 0 ? 255 : kind === 1 ? 255 - (next() % 20) : next();
  }
  return { width, height, channels, data };
}

test('the word-at-a-time loops count exactly what plain loops count, for any layout, byte offset and tolerance', () => {
  for (const [width, height] of [[64, 16], [37, 23], [3, 1], [1, 5], [2, 2], [1, 1], [2, 3]] as const) {
    for (const offset of [0, 1, 2, 3]) {
      for (const channels of [3, 4] as const) {
        const image = noisy(width, height, channels, width * 7 + offset + channels, offset);
        for (const tolerance of [0, 12, 12.5, 127, 200]) {
          assert.equal(countNonWhite(image, tolerance), reference.nonWhite(image, tolerance), `${width}×${height}×${channels} +${offset} tolerance ${tolerance}`);
          assert.deepEqual(borderWhite(image, tolerance), reference.border(image, tolerance), `border of ${width}×${height}×${channels}`);
        }
        const other = noisy(width, height, channels, 99, (offset + 1) % 4);
        const mask = noisy(width, height, 1, 5, offset);
        // identical rows are skipped by a memory comparison: make some
        image.data.copy(other.data, 0, 0, width * channels * Math.ceil(height / 2));
        for (const [a, b] of [[image, other], [image, noisy(width, height, 3, 3)], [noisy(width, height, 3, 4), noisy(width, height, 3, 5)]] as const) {
          assert.deepEqual(plateDifference(a, b, mask), reference.plate(a, b, mask), `${width}×${height} +${offset} masked`);
          assert.deepEqual(plateDifference(a, b), reference.plate(a, b), `${width}×${height} +${offset}`);
        }
        assert.equal(countAtLeastHalf(mask.data), reference.plate(image, image, mask).inside);
      }
    }
  }
  // the largest differences over a long row: the per-lane sums must be emptied before they overflow
  const black = raster(512, 2, [0, 0, 0]);
  const dot: Raster = { width: 512, height: 2, channels: 1, data: Buffer.alloc(1024) };
  dot.data[700] = 255;
  assert.deepEqual(plateDifference(raster(512, 2, [255, 255, 255]), black, dot), { outsideSum: 1023 * 765, inside: 1, changed: 0, changedInside: 1 });
  const outer = noisy(40, 30, 3, 8);
  const inner = noisy(16, 10, 4, 9);
  let sum = 0;
  for (let y = 0; y < 10; y++) for (let x = 0; x < 16; x++) for (let c = 0; c < 3; c++) sum += Math.abs(outer.data[((y + 12) * 40 + x + 20) * 3 + c]! - inner.data[(y * 16 + x) * 4 + c]!);
  assert.equal(regionDifference(outer, inner, { left: 20, top: 12 }), sum);
});

test('the SIMD kernels are built from their source, and load', () => {
  const dir = new URL('../../activities/imaging/kernels/', import.meta.url);
  const source = crypto.createHash('sha256').update(fs.readFileSync(new URL('pixels.c', dir))).digest('hex');
  assert.equal(source, fs.readFileSync(new URL('pixels.c.sha256', dir), 'utf8').trim(), 'pixels.c changed since pixels.wasm was built: run activities/imaging/kernels/build.sh');
  assert.ok(kernels, 'pixels.wasm loads (WebAssembly SIMD)');
});

test('on pictures larger than a kernel slice, with runs of white, clear and identical rows, the counts are exact', () => {
  const [width, height] = [1024, 80];
  for (const channels of [3, 4] as const) {
    const image = noisy(width, height, channels, 11 + channels);
    // whole runs of pure white, of transparent black, of full opacity, and a last row left noisy
    image.data.fill(255, 0, width * channels * 9);
    image.data.fill(0, width * channels * 20, width * channels * 31);
    image.data.fill(255, width * channels * 40 + 5 * channels, width * channels * 52);
    // the first pixel after each of those runs is black
    for (const row of [9, 31, 52]) image.data.fill(0, row * width * channels, row * width * channels + 3);
    for (const tolerance of [0, 12, 12.5, 127, 200, 255]) assert.equal(countNonWhite(image, tolerance), reference.nonWhite(image, tolerance), `${channels} channels, tolerance ${tolerance}`);
    if (channels === 4) {
      let opaque = 0;
      for (let i = 3; i < image.data.length; i += 4) opaque += image.data[i]! >= 128 ? 1 : 0;
      assert.equal(countAtLeastHalf(image.data, 4, 3), opaque);
    }
  }
  const source = noisy(width, height, 3, 21);
  const plate = noisy(width, height, 3, 22);
  // rows pasted back (identical), and stretches within rows
  source.data.copy(plate.data, 0, 0, width * 3 * 30);
  source.data.copy(plate.data, width * 3 * 50 + 300, width * 3 * 50 + 300, width * 3 * 60 + 7);
  const mask = noisy(width, height, 1, 23);
  mask.data.fill(0, 0, width * 40);
  for (const m of [mask, undefined]) assert.deepEqual(plateDifference(plate, source, m), reference.plate(plate, source, m), m ? 'masked' : 'no mask');
  const inner: Raster = { width: 300, height: 70, channels: 3, data: Buffer.alloc(300 * 70 * 3) };
  for (let y = 0; y < 70; y++) plate.data.copy(inner.data, y * 900, ((y + 5) * width + 200) * 3, ((y + 5) * width + 500) * 3);
  for (let i = 0; i < inner.data.length; i += 97) inner.data[i] = 255 - inner.data[i]!;
  let sum = 0;
  for (let y = 0; y < 70; y++) for (let x = 0; x < 300; x++) for (let c = 0; c < 3; c++) sum += Math.abs(plate.data[((y + 5) * width + x + 200) * 3 + c]! - inner.data[(y * 300 + x) * 3 + c]!);
  assert.equal(regionDifference(plate, inner, { left: 200, top: 5 }), sum);
});

test('checks on encoded PNGs: BG_REMOVE counts the opaque pixels, and an opaque PNG fails "Has transparency"', async () => {
  const t = DEFAULT_THRESHOLDS.BG_REMOVE;
  const size = { width: 20, height: 10 };
  const alpha = Buffer.alloc(200 * 4);
  for (let p = 0; p < 200; p++) alpha.set([200, 40, 40, p < 50 ? 255 : p < 60 ? 127 : 0], p * 4);
  const cutout = await sharp(alpha, { raw: { width: 20, height: 10, channels: 4 } }).png().toBuffer();
  const sources = { inputSize: size, input: async () => { throw new Error('the input is not read'); } };
  const passed = await checkStepOutput({ type: 'BG_REMOVE', thresholds: t }, cutout, sources);
  assert.deepEqual(passed.metrics.map((m) => [m.name, m.value]), [['sameSize', 1], ['transparent', 1], ['coverage', 0.25]]);
  const opaque = await sharp({ create: { ...size, channels: 3, background: '#c82828' } }).png().toBuffer();
  const failed = await checkStepOutput({ type: 'BG_REMOVE', thresholds: t }, opaque, sources);
  assert.deepEqual(failed.metrics.map((m) => [m.name, m.pass]), [['sameSize', true], ['transparent', false]]);
  const greyAlpha = await sharp(Buffer.from(Array.from({ length: 400 }, (_, i) => (i % 2 ? (i < 100 ? 255 : 0) : 90))), { raw: { width: 20, height: 10, channels: 2 } }).png().toBuffer();
  assert.equal((await decodeRaster(greyAlpha)).channels, 4, 'a grey picture with alpha is read with its alpha');
  assert.equal((await checkStepOutput({ type: 'BG_REMOVE', thresholds: t }, greyAlpha, sources)).metrics.find((m) => m.name === 'coverage')!.value, 0.25);

  const onWhite = await sharp({ create: { ...size, channels: 3, background: '#ffffff' } }).composite([{ input: { create: { width: 5, height: 4, channels: 3, background: '#102030' } }, left: 6, top: 3 }]).png().toBuffer();
  const extract = await checkStepOutput({ type: 'EXTRACT', thresholds: { ...DEFAULT_THRESHOLDS.EXTRACT, minCoverage: 0.05 } }, onWhite, sources);
  assert.deepEqual(extract.metrics.map((m) => [m.name, m.value, m.pass]), [['sameSize', 1, true], ['coverage', 0.1, true], ['borderWhite', 1, true]]);
});

test('REFRAME: an original placed off the canvas (negative offset) does not hold the original', () => {
  const input = raster(10, 10, [1, 2, 3]);
  const check = checkReframe(raster(20, 10, [1, 2, 3]), input, { left: -2, top: 0 }, 2, DEFAULT_THRESHOLDS.REFRAME);
  assert.deepEqual(check.metrics.map((m) => [m.name, m.pass]), [['aspect', true], ['holdsOriginal', false]]);
});

test('a mask is written as one grey channel and read back unchanged; a colour mask is read by its luminance', async () => {
  const mask: Raster = { width: 6, height: 4, channels: 1, data: Buffer.from(Array.from({ length: 24 }, (_, i) => (i % 3 ? 255 : i * 10))) };
  const png = await encodePng(mask);
  assert.equal((await sharp(png).metadata()).channels, 1, 'not widened to RGB');
  assert.deepEqual(await decodeMask(png), mask);
  const colour = await sharp({ create: { width: 6, height: 4, channels: 3, background: '#ffffff' } }).png().toBuffer();
  assert.deepEqual([...(await decodeMask(colour)).data], new Array(24).fill(255));
});
