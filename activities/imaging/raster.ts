// Decoded pixels for the checks: one sharp decode to raw 8-bit samples, then tight loops over the buffer (pixel-scan.ts).
// Inputs (the source, a plate) are read once per step and kept in a small cache: a retry checks only its output.
import sharp from 'sharp';

export interface Raster {
  width: number;
  height: number;
  /** 1 (mask), 3 (RGB) or 4 (RGBA) samples per pixel */
  channels: 1 | 3 | 4;
  data: Buffer;
}

/** Decodes to raw samples: RGBA when the file has alpha (or `alpha` is asked), else RGB. One pass of libvips. */
export async function decodeRaster(bytes: Buffer, options: { alpha?: boolean } = {}): Promise<Raster> {
  let image = sharp(bytes, { limitInputPixels: 1e9 }).toColourspace('srgb');
  if (options.alpha) image = image.ensureAlpha();
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4, data };
}

/** A mask as one channel: the luminance of a grey or colour image (white = 255 = where to work). */
export async function decodeMask(bytes: Buffer): Promise<Raster> {
  const { data, info } = await sharp(bytes).flatten({ background: '#000000' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 1, data };
}

export function encodePng(raster: Raster): Promise<Buffer> {
  const image = sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: raster.channels } });
  // a mask stays one grey channel (sharp would write it as RGB): a third of the bytes, and read back without a colour conversion
  return (raster.channels === 1 ? image.toColourspace('b-w') : image).png({ compressionLevel: 6 }).toBuffer();
}

/** A few decoded inputs kept by key (a store path): the same source is checked against every attempt of a step. */
export function rasterCache(limit = 4) {
  const entries = new Map<string, Promise<Raster>>();
  const remember = (key: string, entry: Promise<Raster>) => {
    entries.delete(key);
    entries.set(key, entry);
    entry.catch(() => entries.delete(key));
    while (entries.size > limit) entries.delete(entries.keys().next().value!);
    return entry;
  };
  return Object.assign(
    (key: string, load: () => Promise<Raster>): Promise<Raster> => remember(key, entries.get(key) ?? load()),
    /** keep what a step has decoded or made already (its mask), so its check need not read it again */
    { put: (key: string, raster: Raster) => void remember(key, Promise.resolve(raster)) },
  );
}
