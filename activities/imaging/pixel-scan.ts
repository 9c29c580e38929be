// Counting pixels for the checks: one pass over decoded samples. Runs of bytes that settle the answer at once (pure
// white, fully transparent, an alpha plane all clear or all opaque) are recognised by a memory comparison, which the C
// library does many bytes at a time; the rest goes to the SIMD kernels (kernels.ts), or for an alpha plane or a mask
// to a loop that reads four bytes a word. libvips decodes; its own per-pixel ops as sharp exposes them (threshold,
// bandbool, linear, composite "difference", stats) convert to floats or make several passes, and measured slower
// (test/bench/validate.bench.ts).
import os from 'node:os';
import { kernels } from './kernels.ts';
import type { Raster } from './raster.ts';

const LITTLE_ENDIAN = os.endianness() === 'LE';
const HIGH_BITS = 0x80808080 | 0;

/** bytes compared at once against a run of 255s or of 0s (a multiple of 12: whole RGB groups and RGBA pixels) */
const RUN_BYTES = 3072;
const FULL = Buffer.alloc(RUN_BYTES, 255);
const CLEAR = Buffer.alloc(RUN_BYTES);
/** whether data[from, from + RUN_BYTES) holds the same bytes as `run` */
const runIs = (data: Buffer, from: number, run: Buffer) => data.compare(run, 0, RUN_BYTES, from, from + RUN_BYTES) === 0;

/**
 * A count over `items` (pixels or bytes) taken a run of `run` at a time: a run whose count `settled` knows at once
 * (from a memory comparison) is counted so, and each stretch of runs between goes whole to `stretch`.
 */
function countByRuns(items: number, run: number, settled: (at: number) => number | undefined, stretch: (from: number, to: number) => number): number {
  let count = 0;
  let first = 0;
  for (let at = 0; at + run <= items; at += run) {
    const known = settled(at);
    if (known === undefined) continue;
    if (at > first) count += stretch(first, at);
    count += known;
    first = at + run;
  }
  return first < items ? count + stretch(first, items) : count;
}

/** How many pixels are not white: a channel below 255 − tolerance, and (with alpha) not transparent (alpha < 16). */
export function countNonWhite(image: Raster, tolerance: number): number {
  const { data, channels } = image;
  const pixels = image.width * image.height;
  const simd = kernels;
  if (!simd || (channels !== 3 && channels !== 4) || !(tolerance >= 0 && tolerance <= 255)) return countNonWhiteScalar(image, tolerance, 0, pixels);
  const floor = Math.ceil(255 - tolerance);
  // a run of pure white (with alpha, also of transparent black) is white in one comparison
  const white = (p: number) => (runIs(data, p * channels, FULL) || (channels === 4 && runIs(data, p * 4, CLEAR)) ? 0 : undefined);
  return countByRuns(pixels, RUN_BYTES / channels, white, (from, to) => simd.countNonWhite(data.subarray(from * channels, to * channels), channels, floor));
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

/** How many samples are ≥ 128 (a mask's white pixels, an RGBA picture's opaque ones), `stride` bytes apart. */
export function countAtLeastHalf(data: Uint8Array, stride = 1, offset = 0): number {
  // a run all clear (transparent black) counts none, a run all 255 (opaque white) counts `whole`
  const plain = (at: number, whole: number) => (runIs(data as Buffer, at, CLEAR) ? 0 : runIs(data as Buffer, at, FULL) ? whole : undefined);
  if (stride === 4 && offset === 3 && kernels && data.length % 4 === 0 && data instanceof Buffer) {
    const simd = kernels;
    const run = RUN_BYTES / 4;
    return countByRuns(data.length >>> 2, run, (p) => plain(p * 4, run), (from, to) => simd.countOpaque(data.subarray(from * 4, to * 4)));
  }
  if (stride === 1) return data instanceof Buffer ? countByRuns(data.length, RUN_BYTES, (at) => plain(at, RUN_BYTES), (from, to) => highBits(data.subarray(from, to))) : highBits(data);
  let count = 0;
  for (let i = offset; i < data.length; i += stride) count += data[i]! >>> 7;
  return count;
}

/** How many bytes have their high bit set: four bytes a word where the buffer's alignment allows. */
function highBits(data: Uint8Array): number {
  let count = 0;
  const head = (4 - (data.byteOffset % 4)) % 4;
  if (!LITTLE_ENDIAN || data.length < head + 4) {
    for (let i = 0; i < data.length; i++) count += data[i]! >>> 7;
    return count;
  }
  const words = new Int32Array(data.buffer, data.byteOffset + head, (data.length - head) >>> 2);
  for (let i = 0; i < head; i++) count += data[i]! >>> 7;
  // each byte's high bit moved to the bottom of its byte and counted there (128 words at a time: a byte holds the
  // count), then the four byte counters added up
  for (let v = 0; v < words.length;) {
    let lanes = 0;
    for (const stop = Math.min(words.length, v + 128); v < stop; v++) lanes += (words[v]! & HIGH_BITS) >>> 7;
    count += (lanes & 0xff) + ((lanes >>> 8) & 0xff) + ((lanes >>> 16) & 0xff) + (lanes >>> 24);
  }
  for (let i = head + words.length * 4; i < data.length; i++) count += data[i]! >>> 7;
  return count;
}
