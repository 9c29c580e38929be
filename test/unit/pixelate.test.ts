// Pixelate on images built here: exact target size, palette limits, transparency where the background was, no
// half-transparent pixels unless asked, exact nearest-neighbour previews; tiles, sheets and their Bevy layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { pixelate, type PixelateOptions } from '../../activities/imaging/pixelate.ts';
import { decodeRaster, opaqueColours, type Raster } from '../../activities/imaging/rgba.ts';
import { mapToPalette, readPaletteImage } from '../../activities/imaging/palette.ts';
import { upscale } from '../../activities/imaging/fit.ts';
import { paletteColours, hexToRgb, FIXED_PALETTES } from '../../core/palettes.ts';
import { atlasJson, atlasRon, gridFor, loadLines } from '../../core/bevy-atlas.ts';

const svg = (body: string, size = 1024, background = '#ffffff') => sharp(Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="${background}"/>${body}</svg>`)).png().toBuffer();

/** a knight-ish figure of many colours (a gradient body) on white, with a white eye inside it */
const figure = () => svg(`<defs><linearGradient id="g"><stop offset="0" stop-color="#2040c0"/><stop offset="1" stop-color="#e0a030"/></linearGradient></defs>
  <rect x="352" y="200" width="320" height="640" fill="url(#g)"/><circle cx="512" cy="200" r="120" fill="#c05030"/><rect x="480" y="180" width="40" height="40" fill="#ffffff"/>`);

const options = (over: Partial<PixelateOptions> = {}): PixelateOptions => ({ grid: 32, tile: false, ground: false, tolerance: 40, margin: 1, softAlpha: false, outline: false, palette: { kind: 'auto', colours: 8 }, ...over });

const alphaAt = (r: Raster, x: number, y: number) => r.data[(y * r.width + x) * 4 + 3]!;
const alphas = (r: Raster) => new Set(Array.from({ length: r.width * r.height }, (_, p) => r.data[p * 4 + 3]!));

test('a sprite comes out at exactly the target size with at most N colours and only opaque or transparent pixels', async () => {
  for (const grid of [16, 32, 48, 64]) {
    for (const colours of [4, 8, 16]) {
      const result = await pixelate([await figure()], options({ grid, palette: { kind: 'auto', colours } }));
      assert.equal(result.sprite.width, grid);
      assert.equal(result.sprite.height, grid);
      assert.ok(opaqueColours(result.sprite).size <= colours, `${opaqueColours(result.sprite).size} colours > ${colours} at ${grid}px`);
      assert.ok(opaqueColours(result.sprite).size >= 2, 'the gradient keeps more than one colour');
      assert.deepEqual([...alphas(result.sprite)].sort((a, b) => a - b), [0, 255]);
      assert.equal(result.colours, opaqueColours(result.sprite).size);
    }
  }
});

test('transparent exactly where the source background was; a white eye inside the sprite stays', async () => {
  // a 512 × 256 block on white: trimmed and fitted with a 1-pixel margin it fills 30 × 15 pixels of the 32 grid
  const block = await svg('<rect x="256" y="384" width="512" height="256" fill="#208040"/><rect x="500" y="500" width="24" height="24" fill="#ffffff"/>');
  const centred = (await pixelate([block], options({ palette: { kind: 'auto', colours: 4 } }))).sprite;
  const grounded = (await pixelate([block], options({ ground: true, palette: { kind: 'auto', colours: 4 } }))).sprite;
  for (const [sprite, top] of [[centred, 8], [grounded, 16]] as const) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const inside = x >= 1 && x < 31 && y >= top && y < top + 15;
        assert.equal(alphaAt(sprite, x, y), inside ? 255 : 0, `pixel ${x},${y} (content rows ${top}..${top + 14})`);
      }
    }
  }
  const white = [...opaqueColours(centred)].filter((c) => c === 0xffffff);
  assert.equal(white.length, 1, 'the enclosed white eye is kept, not keyed out');
});

test('a near-white, slightly noisy background is keyed within the tolerance', async () => {
  const size = 512;
  const raw = Buffer.alloc(size * size * 3);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 13 - 6;
  for (let p = 0; p < size * size; p++) {
    const inside = Math.hypot((p % size) - 256, Math.floor(p / size) - 256) < 150;
    raw.set(inside ? [128, 32, 128] : [244 + noise(), 246 + noise(), 242 + noise()].map((v) => Math.min(255, v)), p * 3);
  }
  const noisy = await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
  const result = await pixelate([noisy], options());
  assert.equal(alphaAt(result.sprite, 0, 0), 0);
  assert.equal(alphaAt(result.sprite, 16, 16), 255);
  assert.ok(result.keyedShare > 0.6, `keyed ${result.keyedShare}`);
  const tight = await pixelate([noisy], options({ tolerance: 0 }));
  assert.equal(tight.keyedShare, 0, 'with no tolerance the noisy corners share no colour');
  assert.match(tight.notes.join(' '), /corners do not share one background colour/);
  assert.equal(alphaAt(tight.sprite, 1, 1), 255, 'the background stays, inside the margin');
});

test('a fixed palette: only its colours appear; nearest means nearest to the eye (OKLab)', async () => {
  for (const name of ['pico8', 'db16', 'db32', 'nes', 'gameboy'] as const) {
    const allowed = new Set(FIXED_PALETTES[name].colours.map((hex) => parseInt(hex.slice(1), 16)));
    const result = await pixelate([await figure()], options({ palette: { kind: 'list', colours: paletteColours(name) }, outline: true }));
    for (const colour of opaqueColours(result.sprite)) assert.ok(allowed.has(colour), `${colour.toString(16)} is not in ${name}`);
  }
  // a mid grey lands on PICO-8's grey (#5f574f), not on a saturated colour near it in RGB numbers
  const grey: Raster = { width: 1, height: 1, data: new Uint8Array([100, 96, 90, 255]) };
  const mapped = mapToPalette(grey, paletteColours('pico8'));
  assert.deepEqual([...mapped.data.slice(0, 3)], hexToRgb('#5f574f'));
});

test('an uploaded palette PNG: its colours are read in order and the sprite uses only them', async () => {
  const swatches = ['#1a1c2c', '#5d275d', '#b13e53', '#ef7d57', '#ffcd75', '#a7f070'];
  const strip = await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${swatches.length * 8}" height="8">${swatches.map((c, i) => `<rect x="${i * 8}" width="8" height="8" fill="${c}"/>`).join('')}</svg>`)).png().toBuffer();
  const palette = await readPaletteImage(strip);
  assert.deepEqual(palette, swatches.map(hexToRgb));
  const result = await pixelate([await figure()], options({ palette: { kind: 'list', colours: palette } }));
  const allowed = new Set(swatches.map((hex) => parseInt(hex.slice(1), 16)));
  for (const colour of opaqueColours(result.sprite)) assert.ok(allowed.has(colour));
  await assert.rejects(readPaletteImage(await svg('<circle cx="512" cy="512" r="400" fill="url(#x)"/>', 8, '#000000')), /fewer than 2/);
  await assert.rejects(readPaletteImage(Buffer.from('not a png')), /not an image/);
});

test('half-transparent pixels only when asked', async () => {
  const soft = await pixelate([await svg('<circle cx="512" cy="512" r="300" fill="#c03030"/><circle cx="512" cy="512" r="330" fill="#f0a0a0"/><circle cx="512" cy="512" r="300" fill="#c03030"/>')], options({ softAlpha: true, tolerance: 60, grid: 64, palette: { kind: 'auto', colours: 16 } }));
  assert.ok([...alphas(soft.sprite)].some((a) => a > 0 && a < 255), 'soft edges were asked for');
  const hard = await pixelate([await svg('<circle cx="512" cy="512" r="300" fill="#c03030"/><circle cx="512" cy="512" r="330" fill="#f0a0a0"/><circle cx="512" cy="512" r="300" fill="#c03030"/>')], options({ tolerance: 60, grid: 64 }));
  assert.deepEqual([...alphas(hard.sprite)].sort((a, b) => a - b), [0, 255]);
});

test('nearest-neighbour upscale is exact: every preview pixel equals its source pixel', async () => {
  const result = await pixelate([await figure()], options({ grid: 16 }));
  assert.equal(result.previewFactor, 16);
  const { preview, sprite } = result;
  assert.equal(preview.width, 256);
  const preview32 = new Uint32Array(preview.data.buffer);
  const sprite32 = new Uint32Array(sprite.data.buffer, sprite.data.byteOffset, sprite.data.length / 4);
  for (let y = 0; y < preview.height; y++) for (let x = 0; x < preview.width; x++) {
    assert.equal(preview32[y * preview.width + x], sprite32[Math.floor(y / 16) * 16 + Math.floor(x / 16)]);
  }
  // and it survives PNG encoding unchanged
  const odd: Raster = { width: 3, height: 2, data: new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 0, 9, 9, 9, 255, 1, 2, 3, 255, 200, 100, 50, 255]) };
  const up = upscale(odd, 5);
  const decoded = await decodeRaster(await sharp(up.data, { raw: { width: 15, height: 10, channels: 4 } }).png().toBuffer());
  assert.deepEqual([...decoded.data], [...up.data]);
});

test('a 1-pixel outline uses the darkest colour and adds no colour', async () => {
  const plain = await pixelate([await figure()], options());
  const outlined = await pixelate([await figure()], options({ outline: true }));
  assert.ok(opaqueColours(outlined.sprite).size <= 8);
  const count = (r: Raster) => Array.from({ length: r.width * r.height }).filter((_, p) => r.data[p * 4 + 3] === 255).length;
  assert.ok(count(outlined.sprite) > count(plain.sprite), 'the outline adds opaque pixels around the sprite');
});

test('tiles: a repeating pattern passes the seamless check, a gradient does not; 3 × 3 preview', async () => {
  // a pattern with a period that divides the tile: it wraps without a seam
  const periodic = await svg(Array.from({ length: 4 }, (_, i) => `<rect x="${i * 256}" width="128" height="1024" fill="#3a7d2c"/>`).join(''), 1024, '#6cb33e');
  const seamless = await pixelate([periodic], options({ tile: true, palette: { kind: 'auto', colours: 4 } }));
  assert.equal(seamless.sprite.width, 32);
  assert.ok(seamless.seams?.seamless, `ratio ${seamless.seams?.ratio}`);
  assert.equal(alphaAt(seamless.sprite, 0, 0), 255, 'tiles keep their background');
  assert.equal(seamless.tilePreview?.width, 384, '3 × 32 pixels at 4× (the largest whole factor within 384)');
  const tile32 = new Uint32Array(seamless.sprite.data.buffer, seamless.sprite.data.byteOffset, 32 * 32);
  const preview32 = new Uint32Array(seamless.tilePreview!.data.buffer);
  for (const [x, y] of [[0, 0], [130, 7], [383, 383], [200, 301]]) assert.equal(preview32[y! * 384 + x!], tile32[(Math.floor(y! / 4) % 32) * 32 + (Math.floor(x! / 4) % 32)]);
  const gradient = await svg('<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs><rect width="1024" height="1024" fill="url(#g)"/>');
  const seamed = await pixelate([gradient], options({ tile: true, palette: { kind: 'auto', colours: 8 } }));
  assert.equal(seamed.seams?.seamless, false, `ratio ${seamed.seams?.ratio}`);
});

test('frames become one sheet of fixed cells with one palette, and a from_grid layout as JSON and RON', async () => {
  const frames = await Promise.all([0, 1, 2, 3].map((i) => svg(`<rect x="${300 + i * 40}" y="300" width="300" height="500" fill="#${['c03030', '30c030', '3030c0', 'c0c030'][i]}"/>`)));
  const result = await pixelate(frames, options({ palette: { kind: 'auto', colours: 6 } }));
  assert.equal(result.sprite.width, 128);
  assert.equal(result.sprite.height, 32);
  assert.deepEqual(result.atlas, { tileSize: [32, 32], columns: 4, rows: 1, padding: null, offset: null, frames: 4 });
  assert.ok(opaqueColours(result.sprite).size <= 6);
  assert.deepEqual(gridFor(12, 16), { tileSize: [16, 16], columns: 6, rows: 2, padding: null, offset: null, frames: 12 });
  assert.deepEqual(JSON.parse(atlasJson(result.atlas!)), { tile_size: [32, 32], columns: 4, rows: 1, padding: null, offset: null, frames: 4 });
  assert.match(atlasRon(result.atlas!), /^\(\n {4}tile_size: \(32, 32\),\n {4}columns: 4,\n {4}rows: 1,\n {4}padding: None,\n {4}offset: None,/);
  assert.deepEqual(loadLines('sprites/knight_walk.png', result.atlas), [
    'let texture = asset_server.load("sprites/knight_walk.png");',
    'let layout = texture_atlas_layouts.add(TextureAtlasLayout::from_grid(UVec2::new(32, 32), 4, 1, None, None));',
  ]);
});
