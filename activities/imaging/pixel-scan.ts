// Counting pixels for the checks: one pass over decoded samples. Runs of bytes that settle the answer at once (pure
// white, fully transparent, an alpha plane all clear or all opaque) are recognised by a memory comparison, which the C
// library does many bytes at a time; the rest goes to the SIMD kernels (kernels.ts), or for an alpha plane or a mask
// to a loop that reads four bytes a word. libvips decodes; its own per-pixel ops as sharp exposes them (threshold,
// bandbool, linear, composite "difference", stats) convert to floats or make several passes, and measured slower
// (test/bench/validate.bench.ts).
import os from 'node:os';
import { kernels } from './kernels.ts';
import type { Raster } from './raster.ts';

export const LITTLE_ENDIAN = os.endianness() === 'LE';
const HIGH_BITS = 0x80808080 | 0;

/** bytes compared at once against a run of 255s or of 0s (a multiple of 12: whole RGB groups and RGBA pixels) */
const RUN_BYTES = 3072;
const FULL = Buffer.alloc(RUN_BYTES, 255);
const CLEAR = Buffer.alloc(RUN_BYTES);
/** whether data[from, from + RUN_BYTES) holds the same bytes as `run` */
const runIs = (data: Buffer, from: number, run: Buffer) => data.compare(run, 0, RUN_BYTES, from, from + RUN_BYTES) === 0;

/** How many pixels are not white: a channel below 255 − tolerance, and (with alpha) not transparent (alpha < 16). */
export function countNonWhite(image: Raster, tolerance: number): number {
  const { data, channels } = image;
  const pixels = image.width * image.height;
  const simd = kernels;
  if (!simd || (channels !== 3 && channels !== 4) || !(tolerance >= 0 && tolerance <= 255)) return countNonWhiteScalar(image, tolerance, 0, pixels);
  const floor = Math.ceil(255 - tolerance);
  // a run of pure white (with alpha, also of transparent black) is white in one comparison; the stretches between
  // such runs go to the kernel
  const run = RUN_BYTES / channels;
  const blank = (p: number) => p + run <= pixels && (runIs(data, p * channels, FULL) || (channels === 4 && runIs(data, p * 4, CLEAR)));
  const stretch = (from: number, to: number) => simd.countNonWhite(data.subarray(from * channels, to * channels), channels, floor);
  let count = 0;
  let first = 0;
  for (let p = 0; p < pixels; p += run) {
    if (!blank(p)) continue;
    if (p > first) count += stretch(first, p);
    first = p + run;
  }
  return first < pixels ? count + stretch(first, pixels) : count;
}

export function isWhite(data: Uint8Array, i: number, channels: number, floor: number): boolean {
  return (channels === 4 && data[i + 3]! < 16) || (data[i]! >= floor && data[i + 1]! >= floor && data[i + 2]! >= floor);
}

function countNonWhiteScalar({ data, channels }: Raster, tolerance: number, from: number, to: number): number {
  const floor = 255 - tolerance;
  let count = 0;
  for (let p = from, i = from * channels; p < to; p++, i += channels) if (!isWhite(data, i, channels, floor)) count++;
  return count;
}

/** The outermost ring of pixels: how many there are and how many are white. */
export function borderWhite(image: Raster, tolerance: number): { border: number; white: number } {
  const { width, height, channels, data } = image;
  const floor = 255 - tolerance;
  const stride = width * channels;
  const whiteIn = (from: number, to: number, step: number) => {
    let white = 0;
    for (let i = from; i < to; i += step) if (isWhite(data, i, channels, floor)) white++;
    return white;
  };
  // the top and bottom rows, then the left and right columns between them
  const rows = height > 1 ? [0, height - 1] : [0];
  let white = rows.reduce((sum, y) => sum + whiteIn(y * stride, (y + 1) * stride, channels), 0);
  if (height > 2) {
    white += whiteIn(stride, (height - 1) * stride, stride);
    if (width > 1) white += whiteIn(2 * stride - channels, (height - 1) * stride, stride);
  }
  const border = rows.length * width + (height > 2 ? (height - 2) * Math.min(width, 2) : 0);
  return { border, white };
}

/** How many samples are ≥ 128 (a mask's white pixels, an alpha plane's opaque ones), `stride` bytes apart. */
export function countAtLeastHalf(data: Uint8Array, stride = 1, offset = 0): number {
  let count = 0;
  if (stride === 4 && offset === 3 && kernels && data.length % 4 === 0 && data instanceof Buffer) return countOpaque(data, kernels);
  const head = (4 - (data.byteOffset % 4)) % 4;
  if (stride !== 1 || !LITTLE_ENDIAN || data.length < head + 4) {
    for (let i = offset; i < data.length; i += stride) count += data[i]! >>> 7;
    return count;
  }
  const words = new Int32Array(data.buffer, data.byteOffset + head, (data.length - head) >>> 2);
  for (let i = 0; i < head; i++) count += data[i]! >>> 7;
  // each byte's high bit moved to the bottom of its byte and counted there (128 words at a time: a byte holds the
  // count), then the four byte counters added up; a run all clear or all set is counted by one comparison
  const run = RUN_BYTES / 4;
  for (let w = 0; w < words.length; w += run) {
    const end = Math.min(words.length, w + run);
    if (end - w === run && data instanceof Buffer) {
      if (runIs(data, head + w * 4, CLEAR)) continue;
      if (runIs(data, head + w * 4, FULL)) {
        count += RUN_BYTES;
        continue;
      }
    }
    for (let v = w; v < end;) {
      let lanes = 0;
      for (const stop = Math.min(end, v + 128); v < stop; v++) lanes += (words[v]! & HIGH_BITS) >>> 7;
      count += (lanes & 0xff) + ((lanes >>> 8) & 0xff) + ((lanes >>> 16) & 0xff) + (lanes >>> 24);
    }
  }
  for (let i = head + words.length * 4; i < data.length; i++) count += data[i]! >>> 7;
  return count;
}

/** RGBA pixels whose alpha is ≥ 128: runs all clear (transparent black) or all opaque white at once, the rest in the kernel */
function countOpaque(data: Buffer, simd: NonNullable<typeof kernels>): number {
  const pixels = data.length >>> 2;
  const run = RUN_BYTES / 4;
  let count = 0;
  let first = 0;
  for (let p = 0; p + run <= pixels; p += run) {
    const clear = runIs(data, p * 4, CLEAR);
    if (!clear && !runIs(data, p * 4, FULL)) continue;
    if (p > first) count += simd.countOpaque(data.subarray(first * 4, p * 4));
    if (!clear) count += run;
    first = p + run;
  }
  return first < pixels ? count + simd.countOpaque(data.subarray(first * 4)) : count;
}
