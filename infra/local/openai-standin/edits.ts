// What the stand-in's image editor draws, deterministically from the image, the mask and the prompt:
// - with a mask (transparent where the edit goes, as the OpenAI API reads it): the masked area repainted with a
//   pattern coloured by the prompt, the rest left exactly as it was;
// - without one, by what the prompt asks: the subject alone on white ("white background", "isolate", "extract"),
//   the subject removed ("remove", "clean plate"), the background made transparent ("transparent"), else a tint.
import sharp from 'sharp';
import { colourName } from './replies/vision.ts';
import { seedOf, seededRandom } from './replies/random.ts';

export interface EditRequest { image: Buffer; mask?: Buffer; prompt: string; width: number; height: number; format: 'png' | 'jpeg' | 'webp' }

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
  if (request.mask) {
    const mask = await rgba(request.mask, width, height);
    for (let i = 0, p = 0; i < out.length; i += 4, p++) if (mask[i + 3]! < 128) paint(i, p % width, Math.floor(p / width));
  } else {
    const subject = subjectMask(pixels);
    const prompt = request.prompt.toLowerCase();
    const mode = /transparent/.test(prompt) ? 'transparent' : /\bremove\b|clean plate|erase/.test(prompt) ? 'remove' : /white background|isolate|extract/.test(prompt) ? 'extract' : 'tint';
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
