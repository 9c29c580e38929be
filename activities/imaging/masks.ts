// Masks: one channel, white (255) where a step works, the size of the step's input. AUTO masks come from an earlier
// layer (its non-white or opaque pixels, grown by N pixels); MANUAL ones are uploaded or drawn and must fit exactly.
import sharp from 'sharp';
import type { Raster } from './raster.ts';

/** A square max filter, one row pass and one column pass: every white pixel grows by `radius` pixels. */
function grow(mask: Buffer, width: number, height: number, radius: number): Buffer {
  const rows = Buffer.alloc(mask.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!mask[row + x]) continue;
      rows.fill(255, row + Math.max(0, x - radius), row + Math.min(width, x + radius + 1));
    }
  }
  const out = Buffer.alloc(mask.length);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      if (!rows[y * width + x]) continue;
      for (let yy = Math.max(0, y - radius), end = Math.min(height - 1, y + radius); yy <= end; yy++) out[yy * width + x] = 255;
    }
  }
  return out;
}

export class MaskSizeError extends Error {}

/** The layer's subject (non-white, or opaque when it has alpha) grown by `dilate` pixels. */
export function autoMask(layer: Raster, dilate: number, whiteTolerance = 12): Raster {
  const { width, height, channels, data } = layer;
  const floor = 255 - whiteTolerance;
  const mask = Buffer.alloc(width * height);
  for (let p = 0, i = 0; p < mask.length; p++, i += channels) {
    const white = data[i]! >= floor && data[i + 1]! >= floor && data[i + 2]! >= floor;
    const subject = channels === 4 ? data[i + 3]! >= 128 && !white : !white;
    if (subject) mask[p] = 255;
  }
  if (dilate <= 0) return { width, height, channels: 1, data: mask };
  return { width, height, channels: 1, data: grow(mask, width, height, dilate) };
}

export function checkMaskSize(mask: { width: number; height: number }, image: { width: number; height: number }): void {
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new MaskSizeError(`the mask is ${mask.width} × ${mask.height} pixels but the step's image is ${image.width} × ${image.height}: draw or upload a mask of exactly the image's size (white = where to work)`);
  }
}

export const maskArea = (mask: Raster) => {
  let n = 0;
  for (let p = 0; p < mask.data.length; p++) if (mask.data[p]! >= 128) n++;
  return n;
};

/** OpenAI's images.edit mask: a PNG with alpha, fully transparent where the model may paint. */
export function openAiMask(mask: Raster): Promise<Buffer> {
  const rgba = Buffer.alloc(mask.width * mask.height * 4);
  for (let p = 0; p < mask.data.length; p++) rgba[p * 4 + 3] = mask.data[p]! >= 128 ? 0 : 255;
  return sharp(rgba, { raw: { width: mask.width, height: mask.height, channels: 4 } }).png().toBuffer();
}

/** Pixels outside the mask made white: an EXTRACT limited to the mask never sees the rest. */
export function whitenOutside(image: Raster, mask: Raster): Raster {
  const out = Buffer.from(image.data);
  for (let p = 0, i = 0; p < mask.data.length; p++, i += image.channels) {
    if (mask.data[p]! < 128) out.fill(255, i, i + image.channels);
  }
  return { ...image, data: out };
}
