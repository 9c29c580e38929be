// Counting pixels for the checks: one pass over decoded samples, four bytes at a time where the layout allows
// (little-endian words; the byte tests done on all four lanes at once), no allocation. libvips decodes; its own
// per-pixel ops as sharp exposes them (threshold, bandbool, linear, composite "difference", stats) convert to
// floats or make several passes, and measured slower than these loops (test/bench/validate.bench.ts).
import os from 'node:os';
import type { Raster } from './raster.ts';

export const LITTLE_ENDIAN = os.endianness() === 'LE';
const HIGH_BITS = 0x80808080 | 0;

/** Per byte of a 32-bit word: the high bit set where the byte is below 255 − tolerance (0 ≤ tolerance ≤ 127). */
const belowWhite = (word: number, bias: number) => {
  const inverse = ~word;
  return (((inverse & 0x7f7f7f7f) + bias) | inverse) & HIGH_BITS;
};

/** How many pixels are not white: a channel below 255 − tolerance, and (with alpha) not transparent (alpha < 16). */
export function countNonWhite(image: Raster, tolerance: number): number {
  const { data, channels } = image;
  const pixels = image.width * image.height;
  const whole = Math.floor(tolerance);
  if (!LITTLE_ENDIAN || !(whole >= 0 && whole <= 127) || (channels !== 3 && channels !== 4)) return countNonWhiteScalar(image, tolerance, 0, pixels);
  const bias = (127 - whole) * 0x01010101;
  if (channels === 4) {
    if (data.byteOffset % 4) return countNonWhiteScalar(image, tolerance, 0, pixels);
    const words = new Int32Array(data.buffer, data.byteOffset, pixels);
    let count = 0;
    for (let p = 0; p < pixels; p++) {
      const word = words[p]!;
      count += ((belowWhite(word, bias) & 0x808080) !== 0 && word >>> 28 !== 0) ? 1 : 0;
    }
    return count;
  }
  // RGB: four pixels in three words, starting at the first pixel whose bytes begin on a word boundary
  const head = Math.min(pixels, ((4 - (data.byteOffset % 4)) * 3) % 4);
  const groups = Math.floor((pixels - head) / 4);
  const words = new Int32Array(data.buffer, data.byteOffset + head * 3, groups * 3);
  let count = countNonWhiteScalar(image, tolerance, 0, head);
  for (let w = 0, end = groups * 3; w < end; w += 3) {
    const w0 = words[w]!, w1 = words[w + 1]!, w2 = words[w + 2]!;
    // four pixels of pure white, as a background removal on white leaves them
    if ((w0 & w1 & w2) === -1) continue;
    const a = belowWhite(w0, bias);
    const b = belowWhite(w1, bias);
    const c = belowWhite(w2, bias);
    count += ((a & 0x808080) !== 0 ? 1 : 0) + (((a >>> 24) | (b & 0x8080)) !== 0 ? 1 : 0)
      + (((b >>> 16) | (c & 0x80)) !== 0 ? 1 : 0) + ((c & 0x80808000) !== 0 ? 1 : 0);
  }
  return count + countNonWhiteScalar(image, tolerance, head + groups * 4, pixels);
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
  let border = 0;
  let white = 0;
  const visit = (x: number, y: number) => {
    border++;
    if (isWhite(data, (y * width + x) * channels, channels, floor)) white++;
  };
  for (let x = 0; x < width; x++) {
    visit(x, 0);
    if (height > 1) visit(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    visit(0, y);
    if (width > 1) visit(width - 1, y);
  }
  return { border, white };
}

/** How many samples are ≥ 128 (a mask's white pixels, an alpha plane's opaque ones), `stride` bytes apart. */
export function countAtLeastHalf(data: Uint8Array, stride = 1, offset = 0): number {
  let count = 0;
  if (stride !== 1 || !LITTLE_ENDIAN) {
    for (let i = offset; i < data.length; i += stride) count += data[i]! >>> 7;
    return count;
  }
  const head = Math.min(data.length, (4 - (data.byteOffset % 4)) % 4);
  const words = new Int32Array(data.buffer, data.byteOffset + head, (data.length - head) >>> 2);
  for (let i = 0; i < head; i++) count += data[i]! >>> 7;
  // each byte's high bit moved to the bottom of its byte and counted there (255 words at most fit in a byte),
  // then the four byte counters added up
  for (let w = 0; w < words.length; w += 255) {
    let lanes = 0;
    for (let v = w, end = Math.min(words.length, w + 255); v < end; v++) lanes += (words[v]! & HIGH_BITS) >>> 7;
    count += (lanes & 0xff) + ((lanes >>> 8) & 0xff) + ((lanes >>> 16) & 0xff) + (lanes >>> 24);
  }
  for (let i = head + words.length * 4; i < data.length; i++) count += data[i]! >>> 7;
  return count;
}
