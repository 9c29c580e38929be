// Is this file an image Atelier can use? Decoded for real (sharp), not judged by its name or its first bytes:
// PNG, JPEG or WebP, under the pixel limit (a decompression bomb is refused from its header, before decoding).
import sharp, { type Metadata } from 'sharp';

export const ACCEPTED_FORMATS = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;
export type AcceptedFormat = keyof typeof ACCEPTED_FORMATS;

export interface CheckedImage { format: AcceptedFormat; mime: string; ext: string; width: number; height: number }

/** status: 413 too big, 415 not an accepted image, 400 damaged */
export class ImageRejected extends Error {
  constructor(readonly status: 400 | 413 | 415, message: string) { super(message); }
}

export async function checkImage(input: string | Buffer, limits: { maxPixels: number }): Promise<CheckedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw new ImageRejected(415, 'is not an image Atelier can read: send a PNG, JPEG or WebP file');
  }
  const format = meta.format as string;
  if (format === 'svg') throw new ImageRejected(415, 'is an SVG drawing: export it as PNG first (SVG can carry scripts and has no fixed pixel size)');
  if (!(format in ACCEPTED_FORMATS)) throw new ImageRejected(415, `is a ${format?.toUpperCase() ?? 'file of an unknown kind'}: send a PNG, JPEG or WebP image`);
  if ((meta.pages ?? 1) > 1) throw new ImageRejected(415, 'is an animated image: send a single still frame as PNG, JPEG or WebP');
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  if (!width || !height) throw new ImageRejected(400, 'has no pixel size in its header: the file is damaged');
  if (width * height > limits.maxPixels) {
    throw new ImageRejected(413, `is ${width} × ${height} pixels, more than the limit of ${limits.maxPixels.toLocaleString('en-US')} pixels (ATELIER_UPLOAD_MAX_PIXELS): scale it down first`);
  }
  try {
    // a full decode: a truncated or corrupt file fails here, not later in a pipeline
    await sharp(input, { failOn: 'truncated', limitInputPixels: limits.maxPixels }).stats();
  } catch (error) {
    throw new ImageRejected(400, `is damaged or cut short (${String((error as Error).message).split('\n')[0]}): send the whole file again`);
  }
  return { format: format as AcceptedFormat, mime: ACCEPTED_FORMATS[format as AcceptedFormat], ext: format === 'jpeg' ? 'jpg' : format, width, height };
}
