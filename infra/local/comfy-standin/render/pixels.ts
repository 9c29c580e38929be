import sharp, { type KernelEnum, type Sharp } from 'sharp';

/** One image of a batch: raw 8-bit pixels, RGB (images) or single-channel (masks). */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Buffer;
}

export function solid(width: number, height: number, rgb: [number, number, number]): Pixels {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = rgb[0];
    data[i + 1] = rgb[1];
    data[i + 2] = rgb[2];
  }
  return { width, height, channels: 3, data };
}

export function blank(width: number, height: number, channels: 1 | 3 = 1): Pixels {
  return { width, height, channels, data: Buffer.alloc(width * height * channels) };
}

function toSharp(p: Pixels) {
  return sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels } });
}

async function fromSharp(image: Sharp, channels: 1 | 3 | 4): Promise<Pixels> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels, data };
}

export function encodePng(p: Pixels, compressionLevel: number): Promise<Buffer> {
  return toSharp(p).png({ compressionLevel }).toBuffer();
}

export function invert(p: Pixels): Pixels {
  const data = Buffer.alloc(p.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - p.data[i];
  return { ...p, data };
}

/** `a` where weight is 0, `b` where it is 1 (img2img at a denoise below 1). */
export function blend(a: Pixels, b: Pixels, weight: number): Pixels {
  const data = Buffer.alloc(b.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round((a.data[i] ?? 0) * (1 - weight) + b.data[i] * weight);
  return { ...b, data };
}

/** A Gaussian of kernel 2·radius+1 and the given sigma, like ComfyUI's ImageBlur. */
export async function gaussianBlur(p: Pixels, radius: number, sigma: number): Promise<Pixels> {
  if (radius <= 0) return p;
  const size = radius * 2 + 1;
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const kernel: number[] = [];
  for (const gy of g) for (const gx of g) kernel.push(gx * gy);
  const scale = kernel.reduce((a, b) => a + b, 0);
  return fromSharp(toSharp(p).convolve({ width: size, height: size, kernel, scale }), p.channels);
}

export type ScaleMethod = 'nearest-exact' | 'bilinear' | 'area' | 'bicubic' | 'lanczos';
const KERNELS: Record<ScaleMethod, keyof KernelEnum> = {
  'nearest-exact': 'nearest',
  bilinear: 'linear',
  area: 'mitchell',
  bicubic: 'cubic',
  lanczos: 'lanczos3',
};

export function scale(p: Pixels, width: number, height: number, method: ScaleMethod, crop: boolean): Promise<Pixels> {
  const resized = toSharp(p).resize({ width, height, fit: crop ? 'cover' : 'fill', kernel: KERNELS[method] });
  return fromSharp(resized, p.channels);
}

export function cropTo(p: Pixels, width: number, height: number): Promise<Pixels> {
  if (width === p.width && height === p.height) return Promise.resolve(p);
  const x = Math.floor((p.width - width) / 2);
  const y = Math.floor((p.height - height) / 2);
  return fromSharp(toSharp(p).extract({ left: x, top: y, width, height }), p.channels);
}

/** A file as ComfyUI's LoadImage sees it: RGB pixels, and the mask (1 − alpha; 64×64 zeros without alpha). */
export async function decodeImage(bytes: Buffer): Promise<{ image: Pixels; mask: Pixels }> {
  const oriented = sharp(bytes).rotate();
  const meta = await sharp(bytes).metadata();
  const image = await fromSharp(oriented.clone().removeAlpha().toColourspace('srgb'), 3);
  if (!meta.hasAlpha) return { image, mask: blank(64, 64) };
  const alpha = await fromSharp(oriented.clone().ensureAlpha().extractChannel(3), 1);
  return { image, mask: invert(alpha) };
}

export async function renderSvg(svg: string): Promise<Pixels> {
  return fromSharp(sharp(Buffer.from(svg)).removeAlpha().toColourspace('srgb'), 3);
}
