// What the stand-in's image editor draws, deterministically from the image, the mask and the prompt:
// - with a mask (transparent where the edit goes, as the OpenAI API reads it): the masked area repainted with a
//   pattern coloured by the prompt, the rest left exactly as it was;
//   a prompt that removes ("remove", "erase", "clean plate") fills it with the background instead, and one that
//   extends ("extend", "outpaint", "widen") continues the nearest kept pixels into it (a REFRAME's new border);
// - without one, by what the prompt asks: the subject alone on white ("white background", "isolate", "extract"),
//   the subject removed ("remove", "clean plate"), the background made transparent ("transparent", or
//   background=transparent), else a tint. A prompt that names a colour ("the red shape") means the pixels of that
//   colour only, so a prompt naming a colour the picture lacks gives an empty result (a check then fails).
import sharp from 'sharp';
import { colourName } from './replies/vision.ts';
import { seedOf, seededRandom } from './replies/random.ts';

export interface EditRequest { image: Buffer; mask?: Buffer; prompt: string; width: number; height: number; format: 'png' | 'jpeg' | 'webp'; background?: string }

const NAMED = ['black', 'white', 'grey', 'red', 'orange', 'yellow', 'green', 'teal', 'blue', 'purple', 'pink', 'brown'];

/** the subject, narrowed to the colour the prompt names (when it names one) */
function targetMask(pixels: Buffer, prompt: string): boolean[] {
  const subject = subjectMask(pixels);
  const wanted = NAMED.find((name) => new RegExp(`\\b${name}\\b`, 'i').test(prompt.replace(/white background|on (plain |solid |pure )?white|#ffffff/gi, '')));
  if (!wanted) return subject;
  return subject.map((inside, p) => inside && colourName([pixels[p * 4]!, pixels[p * 4 + 1]!, pixels[p * 4 + 2]!]) === wanted);
}

/** masked pixels take the nearest kept pixel of their row, or of their column when the row has none */
function extendInto(out: Buffer, masked: (p: number) => boolean, width: number, height: number): void {
  const keptRow = new Array<boolean>(height).fill(false);
  for (let y = 0; y < height; y++) {
    let last = -1;
    const row: number[] = [];
    for (let x = 0; x < width; x++) if (!masked(y * width + x)) row.push(x);
    if (!row.length) continue;
    keptRow[y] = true;
    for (let x = 0, k = 0; x < width; x++) {
      if (!masked(y * width + x)) { last = x; continue; }
      while (k < row.length - 1 && Math.abs(row[k + 1]! - x) <= Math.abs(row[k]! - x)) k++;
      const from = (y * width + (last >= 0 && Math.abs(last - x) < Math.abs(row[k]! - x) ? last : row[k]!)) * 4;
      out.copyWithin((y * width + x) * 4, from, from + 4);
    }
  }
  for (let y = 0; y < height; y++) {
    if (keptRow[y]) continue;
    let source = -1;
    for (let d = 1; d < height && source < 0; d++) source = y - d >= 0 && keptRow[y - d] ? y - d : y + d < height && keptRow[y + d] ? y + d : -1;
    if (source >= 0) out.copyWithin(y * width * 4, source * width * 4, (source + 1) * width * 4);
  }
}

const COLOURS: Record<string, [number, number, number]> = {
  red: [200, 40, 40], orange: [230, 130, 40], yellow: [230, 210, 60], green: [60, 160, 70], blue: [50, 90, 200], purple: [130, 60, 170],
  pink: [230, 130, 180], brown: [120, 80, 50], black: [20, 20, 20], grey: [128, 128, 128], gray: [128, 128, 128], teal: [40, 150, 150],
};

function promptColour(prompt: string): [number, number, number] {
  const named = Object.keys(COLOURS).find((name) => new RegExp(`\\b${name}\\b`, 'i').test(prompt));
  if (named) return COLOURS[named]!;
  const random = seededRandom(seedOf(prompt));
  return [40 + Math.floor(random() * 180), 40 + Math.floor(random() * 180), 40 + Math.floor(random() * 180)];
}

async function rgba(bytes: Buffer, width: number, height: number) {
  return sharp(bytes).ensureAlpha().resize({ width, height, fit: 'fill' }).raw().toBuffer();
}

/** pixels that differ from the corner colour: the subject */
function subjectMask(pixels: Buffer): boolean[] {
  const [r0, g0, b0] = [pixels[0]!, pixels[1]!, pixels[2]!];
  const out: boolean[] = [];
  for (let i = 0; i < pixels.length; i += 4) out.push(Math.abs(pixels[i]! - r0) + Math.abs(pixels[i + 1]! - g0) + Math.abs(pixels[i + 2]! - b0) > 48);
  return out;
}

export async function renderEdit(request: EditRequest): Promise<Buffer> {
  const { width, height } = request;
  const pixels = await rgba(request.image, width, height);
  const out = Buffer.from(pixels);
  const [r, g, b] = promptColour(request.prompt);
  const paint = (index: number, x: number, y: number) => {
    const stripe = ((x >> 3) + (y >> 3)) % 2 === 0 ? 1 : 0.8;
    out[index] = Math.round(r * stripe); out[index + 1] = Math.round(g * stripe); out[index + 2] = Math.round(b * stripe); out[index + 3] = 255;
  };
  const prompt = request.prompt.toLowerCase();
  if (request.mask) {
    const mask = await rgba(request.mask, width, height);
    const masked = (p: number) => mask[p * 4 + 3]! < 128;
    if (/\bextend|outpaint|widen/.test(prompt)) extendInto(out, masked, width, height);
    else if (/\bremove\b|clean plate|erase|fill in/.test(prompt)) {
      for (let i = 0, p = 0; i < out.length; i += 4, p++) if (masked(p)) { out[i] = pixels[0]!; out[i + 1] = pixels[1]!; out[i + 2] = pixels[2]!; out[i + 3] = 255; }
    } else for (let i = 0, p = 0; i < out.length; i += 4, p++) if (masked(p)) paint(i, p % width, Math.floor(p / width));
  } else {
    const subject = targetMask(pixels, request.prompt);
    const mode = /transparent/.test(prompt) || request.background === 'transparent' ? 'transparent' : /\bremove\b|clean plate|erase/.test(prompt) ? 'remove' : /white background|on (plain |solid |pure )?white|isolate|extract/.test(prompt) ? 'extract' : 'tint';
    for (let i = 0, p = 0; i < out.length; i += 4, p++) {
      if (mode === 'extract' && !subject[p]) out.fill(255, i, i + 4);
      else if (mode === 'transparent' && !subject[p]) out[i + 3] = 0;
      else if (mode === 'remove' && subject[p]) { out[i] = pixels[0]!; out[i + 1] = pixels[1]!; out[i + 2] = pixels[2]!; out[i + 3] = 255; }
      else if (mode === 'tint') { out[i] = (out[i]! + r) >> 1; out[i + 1] = (out[i + 1]! + g) >> 1; out[i + 2] = (out[i + 2]! + b) >> 1; }
    }
  }
  const image = sharp(out, { raw: { width, height, channels: 4 } });
  return request.format === 'jpeg' ? image.flatten({ background: '#ffffff' }).jpeg().toBuffer() : request.format === 'webp' ? image.webp({ lossless: true }).toBuffer() : image.png().toBuffer();
}

export { colourName };
