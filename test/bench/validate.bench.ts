// npm run bench:validate — each scene check on a 1024 × 1024 PNG against decoding that PNG alone, in the same run.
// A check decodes its output and makes one pass over the pixels; its input (the source, a plate) is decoded once per
// step and cached, so the figure that matters is "warm". Target: ratio ≤ 1.2. Printed, never asserted.
import sharp from 'sharp';
import { decodeRaster, decodeMask, rasterCache } from '../../activities/imaging/raster.ts';
import { checkBackgroundRemoval, checkCleanPlate, checkExtraction, checkReframe } from '../../activities/imaging/checks.ts';
import { DEFAULT_THRESHOLDS } from '../../workflows/scene-plan.ts';

const SIDE = 1024;
const ROUNDS = 12;

async function picture(background: string, square: string, alpha = false) {
  const image = sharp({ create: { width: SIDE, height: SIDE, channels: alpha ? 4 : 3, background } })
    .composite([{ input: { create: { width: 300, height: 260, channels: 3, background: square } }, left: 200, top: 300 }]);
  // noise so PNG decoding does real work, as it would on a photo
  const noise = await sharp(Buffer.from(Array.from({ length: SIDE * SIDE }, (_, i) => (i * 2654435761) % 23)), { raw: { width: SIDE, height: SIDE, channels: 1 } }).png().toBuffer();
  return sharp(await image.png().toBuffer()).composite([{ input: noise, blend: 'add' }]).png().toBuffer();
}

async function time(label: string, run: () => Promise<unknown>): Promise<number> {
  await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) await run();
  return Number(process.hrtime.bigint() - started) / 1e6 / ROUNDS;
}

const source = await picture('#3c9c46', '#c82828');
const extracted = await picture('#ffffff', '#c82828');
const plate = await picture('#3c9c46', '#3c9c46');
const cutout = await sharp(extracted).ensureAlpha().png().toBuffer();
const mask = await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: '#000000' } }).composite([{ input: { create: { width: 320, height: 280, channels: 3, background: '#ffffff' } }, left: 190, top: 290 }]).png().toBuffer();
const wide = await sharp(source).extend({ left: 400, right: 400, background: '#808080' }).png().toBuffer();
const wideOutput = await sharp(wide).png().toBuffer();

const cache = rasterCache();
const input = () => cache('source', () => decodeRaster(source));
const maskRaster = () => cache('mask', () => decodeMask(mask));
await input();
await maskRaster();

const checks: [string, () => Promise<unknown>, () => Promise<unknown>, Buffer][] = [
  ['EXTRACT (extraction on white)', async () => checkExtraction(await decodeRaster(extracted), await input(), DEFAULT_THRESHOLDS.EXTRACT), async () => checkExtraction(await decodeRaster(extracted), await decodeRaster(source), DEFAULT_THRESHOLDS.EXTRACT), extracted],
  ['REMOVE (clean plate vs source, masked)', async () => checkCleanPlate(await decodeRaster(plate), await input(), await maskRaster(), DEFAULT_THRESHOLDS.REMOVE), async () => checkCleanPlate(await decodeRaster(plate), await decodeRaster(source), await decodeMask(mask), DEFAULT_THRESHOLDS.REMOVE), plate],
  ['BG_REMOVE (transparency coverage)', async () => checkBackgroundRemoval(await decodeRaster(cutout, { alpha: true }), await input(), DEFAULT_THRESHOLDS.BG_REMOVE), async () => checkBackgroundRemoval(await decodeRaster(cutout, { alpha: true }), await decodeRaster(source), DEFAULT_THRESHOLDS.BG_REMOVE), cutout],
  ['REFRAME (original pixels kept, 1824 × 1024)', async () => checkReframe(await decodeRaster(wideOutput), await input(), { left: 400, top: 0 }, 1824 / 1024, DEFAULT_THRESHOLDS.REFRAME), async () => checkReframe(await decodeRaster(wideOutput), await decodeRaster(source), { left: 400, top: 0 }, 1824 / 1024, DEFAULT_THRESHOLDS.REFRAME), wideOutput],
];

process.stdout.write(`scene checks on ${SIDE} × ${SIDE} PNGs, ${ROUNDS} rounds each; baseline: decoding the check's own output PNG alone\n`);
process.stdout.write(`${'check'.padEnd(46)} ${'decode ms'.padStart(9)} ${'warm ms'.padStart(8)} ${'ratio'.padStart(6)}   ${'cold ms'.padStart(8)} ${'ratio'.padStart(6)}\n`);
for (const [label, warm, cold, output] of checks) {
  const d = await time(label, () => decodeRaster(output));
  const w = await time(label, warm);
  const c = await time(label, cold);
  process.stdout.write(`${label.padEnd(46)} ${d.toFixed(1).padStart(9)} ${w.toFixed(1).padStart(8)} ${(w / d).toFixed(2).padStart(6)}   ${c.toFixed(1).padStart(8)} ${(c / d).toFixed(2).padStart(6)}\n`);
}
process.stdout.write('warm: the input (and mask) decoded once per step and cached, as the imaging activities do; cold: everything decoded. Target ratio ≤ 1.2 (warm).\n');
