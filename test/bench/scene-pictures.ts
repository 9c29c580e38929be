// The pictures of `npm run bench:validate`: for each set a source, and each scene check's output made from it, as PNG.
// "flat": flat colours with faint noise (PNG decodes fast, so a check's own work weighs most: the hard case);
// "photo": every channel noisy like a photo or a diffusion model's output (decoding costs what it does on real input).
import sharp from 'sharp';
import { encodePng } from '../../activities/imaging/raster.ts';

export const SIDE = 1024;
export const WIDE = 1824;
/** the object: where it sits, and the mask around it */
const OBJECT = { left: 200, top: 300, width: 300, height: 260 };
const MASK = { left: 190, top: 290, width: 320, height: 280 };

export interface PictureSet {
  name: string;
  source: Buffer;
  mask: Buffer;
  extracted: Buffer;
  /** outside the mask exactly the source, as ComfyUI's inpaint graph pastes it back */
  plate: Buffer;
  /** every pixel a little different, as an image-edit model redraws the whole picture */
  redrawnPlate: Buffer;
  cutout: Buffer;
  /** the source at (400, 0) on a 16:9 canvas */
  reframed: Buffer;
}

const raw = (width: number, channels: 3 | 4 = 3) => ({ raw: { width, height: SIDE, channels } });
const png = (data: Buffer, width = SIDE, channels: 3 | 4 = 3) => sharp(data, raw(width, channels)).png().toBuffer();

/** a repeatable generator, so every run measures the same pictures */
function noise(seed: number) {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function paint(width: number, seed: number, photo: boolean, flat: [number, number, number]): Buffer {
  const data = Buffer.alloc(width * SIDE * 3);
  const random = noise(seed);
  for (let y = 0, i = 0; y < SIDE; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      const base = photo
        ? [90 + 60 * Math.sin(x / (97 + seed)) + 30 * Math.cos(y / 53), 120 + 50 * Math.sin((x + y) / 131), 80 + 70 * Math.cos(x / 211 - y / (173 + seed))]
        : flat;
      const grain = photo ? (random() - 0.5) * 24 : ((y * width + x) * 2654435761) % 23;
      for (let c = 0; c < 3; c++) data[i + c] = Math.max(0, Math.min(255, Math.round(base[c]! + grain)));
    }
  }
  return data;
}

const inside = (x: number, y: number, r: typeof OBJECT) => x >= r.left && x < r.left + r.width && y >= r.top && y < r.top + r.height;

export async function pictureSet(name: 'flat' | 'photo'): Promise<PictureSet> {
  const photo = name === 'photo';
  const background = paint(SIDE, 1, photo, [60, 156, 70]);
  // the object: another picture, its colours turned round so it stands out from the background
  const object = paint(SIDE, 2, photo, [200, 40, 40]).map((v) => (photo ? 255 - v : v)) as Buffer;
  const source = Buffer.from(background);
  const extracted = Buffer.alloc(SIDE * SIDE * 3, 255);
  const cutout = Buffer.alloc(SIDE * SIDE * 4);
  const mask = Buffer.alloc(SIDE * SIDE);
  const random = noise(7);
  for (let y = 0, p = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++, p++) {
      const i = p * 3;
      if (inside(x, y, OBJECT)) {
        object.copy(source, i, i, i + 3);
        object.copy(extracted, i, i, i + 3);
        object.copy(cutout, p * 4, i, i + 3);
        cutout[p * 4 + 3] = 255;
      } else if (photo) {
        // a model's white is rarely exactly 255
        extracted.fill(255 - Math.floor(random() * 5), i, i + 3);
      }
      if (inside(x, y, MASK)) mask[p] = 255;
    }
  }
  const redrawn = Buffer.from(background);
  for (let i = 0; i < redrawn.length; i++) redrawn[i] = Math.max(0, Math.min(255, redrawn[i]! + Math.floor(random() * 5) - 2));
  const canvas = paint(WIDE, 3, photo, [128, 128, 128]);
  for (let y = 0; y < SIDE; y++) source.copy(canvas, (y * WIDE + 400) * 3, y * SIDE * 3, (y + 1) * SIDE * 3);
  return {
    name,
    source: await png(source),
    // as the imaging activity writes a mask: one grey channel
    mask: await encodePng({ width: SIDE, height: SIDE, channels: 1, data: mask }),
    extracted: await png(extracted),
    plate: await png(background),
    redrawnPlate: await png(redrawn),
    cutout: await png(cutout, SIDE, 4),
    reframed: await png(canvas, WIDE),
  };
}
