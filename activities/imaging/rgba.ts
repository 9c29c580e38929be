// RGBA rasters for pixel art (8 bits a channel, always 4 samples a pixel): what every sprite step reads and writes.
import sharp from 'sharp';

export interface Raster { width: number; height: number; data: Uint8Array }

export function blankRaster(width: number, height: number): Raster {
  return { width, height, data: new Uint8Array(width * height * 4) };
}

export async function decodeRaster(bytes: Uint8Array): Promise<Raster> {
  const { data, info } = await sharp(bytes).ensureAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected 4 channels after decoding, got ${info.channels}`);
  // 32-bit views of the pixels need 4-byte alignment
  const pixels = data.byteOffset % 4 === 0 ? new Uint8Array(data.buffer, data.byteOffset, data.length) : new Uint8Array(data);
  return { width: info.width, height: info.height, data: pixels };
}

export function encodePng(raster: Raster): Promise<Buffer> {
  return sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 4 } }).png({ compressionLevel: 9, adaptiveFiltering: false }).toBuffer();
}

/** a colour as one number (r, g, b, a in that byte order) */
export const pixelAt = (r: Raster, x: number, y: number): number => {
  const i = (y * r.width + x) * 4;
  return ((r.data[i]! << 24) | (r.data[i + 1]! << 16) | (r.data[i + 2]! << 8) | r.data[i + 3]!) >>> 0;
};

/** copies `source` into `target` with its top-left corner at (left, top) */
export function blit(source: Raster, target: Raster, left: number, top: number): void {
  for (let y = 0; y < source.height; y++) {
    const from = y * source.width * 4;
    target.data.set(source.data.subarray(from, from + source.width * 4), ((top + y) * target.width + left) * 4);
  }
}

/** distinct colours of the opaque pixels (alpha > 0), as rgb numbers */
export function opaqueColours(raster: Raster): Set<number> {
  const colours = new Set<number>();
  const d = raster.data;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0) colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
  return colours;
}

/** every pixel fully transparent or fully opaque; transparent ones all (0,0,0,0) so they add no colour */
export function hardenAlpha(raster: Raster): void {
  const d = raster.data;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3]! >= 128) d[i + 3] = 255;
    else d[i] = d[i + 1] = d[i + 2] = d[i + 3] = 0;
  }
}

export function crop(source: Raster, left: number, top: number, width: number, height: number): Raster {
  const out = blankRaster(width, height);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * source.width + left) * 4;
    out.data.set(source.data.subarray(from, from + width * 4), y * width * 4);
  }
  return out;
}
