// Decoded pixels for the checks: one sharp decode to raw 8-bit samples, then plain loops over the buffer.
// Inputs (the source, a plate) are read once per step and kept in a small cache: a retry checks only its output.
import sharp from 'sharp';

export interface Raster {
  width: number;
  height: number;
  /** 1 (mask), 3 (RGB) or 4 (RGBA) samples per pixel */
  channels: 1 | 3 | 4;
  data: Buffer;
}

/** Decodes to raw samples: RGBA when the file has alpha (or `alpha` is asked), else RGB. */
export async function decodeRaster(bytes: Buffer, options: { alpha?: boolean } = {}): Promise<Raster> {
  let image = sharp(bytes, { limitInputPixels: 1e9 }).toColourspace('srgb');
  const meta = await sharp(bytes).metadata();
  if (options.alpha && !meta.hasAlpha) image = image.ensureAlpha();
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4, data };
}

/** A mask as one channel: the luminance of a grey or colour image (white = 255 = where to work). */
export async function decodeMask(bytes: Buffer): Promise<Raster> {
  const { data, info } = await sharp(bytes).flatten({ background: '#000000' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 1, data };
}

export function encodePng(raster: Raster): Promise<Buffer> {
  return sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: raster.channels } }).png({ compressionLevel: 6 }).toBuffer();
}

/** A few decoded inputs kept by key (a store path): the same source is checked against every attempt of a step. */
export function rasterCache(limit = 4) {
  const entries = new Map<string, Promise<Raster>>();
  return async (key: string, load: () => Promise<Raster>): Promise<Raster> => {
    let entry = entries.get(key);
    if (entry) {
      entries.delete(key);
      entries.set(key, entry);
      return entry;
    }
    entry = load();
    entries.set(key, entry);
    entry.catch(() => entries.delete(key));
    while (entries.size > limit) entries.delete(entries.keys().next().value!);
    return entry;
  };
}
