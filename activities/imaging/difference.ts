// How far a step's output is from its input, pixel by pixel: the sums behind REMOVE's and REFRAME's checks.
// Rows whose bytes are identical (ComfyUI's graphs paste the source back outside their masks) cost one memory
// comparison. Other rows are read four pixels (three 32-bit words) at a time, and the absolute differences are taken
// two bytes at once in 16-bit lanes; no branch depends on the pixels (photo noise would make it mispredict).
import { countAtLeastHalf, LITTLE_ENDIAN } from './pixel-scan.ts';
import type { Raster } from './raster.ts';

/** a pixel has changed when its three channels' differences add up to more than 72 (a mean above 24) */
const CHANGED = 72;

const absDiff = (x: number, y: number) => {
  const d = x - y;
  return (d ^ (d >> 31)) - (d >> 31);
};

/** |x − y| for bytes 0 and 2 of two words, in two 16-bit lanes (256 + d per lane never borrows from the next) */
const laneAbsDiff = (x: number, y: number) => {
  const v = ((x & 0xff00ff) | 0x1000100) - (y & 0xff00ff);
  const negative = (~v >>> 8) & 0x10001;
  return ((v ^ Math.imul(negative, 0x1ff)) + negative) - 0x1000100;
};

export interface PlateDifference {
  /** the sum of |R|+|G|+|B| differences over the pixels outside the mask (all pixels without one) */
  outsideSum: number;
  /** mask pixels (≥ 128) */
  inside: number;
  /** pixels whose differences add up to more than 72: in the whole picture (only counted without a mask), inside the mask */
  changed: number;
  changedInside: number;
}

/** a step's mask is compared with every attempt: its area is counted once */
const maskAreas = new WeakMap<Uint8Array, number>();
const maskArea = (m: Uint8Array) => maskAreas.get(m) ?? maskAreas.set(m, countAtLeastHalf(m)).get(m)!;

const wordAligned = (data: Uint8Array) => data.byteOffset % 4 === 0;
const words = (data: Uint8Array) => new Int32Array(data.buffer, data.byteOffset, data.length >>> 2);

/** Differences between two same-size pictures, with an optional one-channel mask of the same size. */
export function plateDifference(output: Raster, input: Raster, mask?: Raster): PlateDifference {
  const { width, height } = input;
  const [a, b, m] = [output.data, input.data, mask?.data];
  const rgb = output.channels === 3 && input.channels === 3;
  const fast = rgb && LITTLE_ENDIAN && width % 4 === 0 && wordAligned(a) && wordAligned(b) && (!m || wordAligned(m));
  const [A, B, M] = fast ? [words(a), words(b), m && words(m)] : [];
  const total: PlateDifference = { outsideSum: 0, inside: m ? maskArea(m) : 0, changed: 0, changedInside: 0 };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (output.channels === input.channels && a.compare(b, row * input.channels, (row + width) * input.channels, row * output.channels, (row + width) * output.channels) === 0) continue;
    if (A) fastRow(A, B!, M, row, width, total);
    else scalarRow(output, input, m, row, width, total);
  }
  return total;
}

function fastRow(A: Int32Array, B: Int32Array, M: Int32Array | undefined, row: number, width: number, total: PlateDifference): void {
  let outsideSum = 0;
  let changed = 0;
  let changedInside = 0;
  let lanes = 0;
  for (let w = (row * 3) >>> 2, q = row >>> 2, end = ((row + width) * 3) >>> 2; w < end; w += 3, q++) {
    const a0 = A[w]!, a1 = A[w + 1]!, a2 = A[w + 2]!, b0 = B[w]!, b1 = B[w + 1]!, b2 = B[w + 2]!;
    // the four pixels' bytes: e0 (r0, b0) o0 (g0, r1) | e1 (g1, r2) o1 (b1, g2) | e2 (b2, g3) o2 (r3, b3)
    const e0 = laneAbsDiff(a0, b0), o0 = laneAbsDiff(a0 >>> 8, b0 >>> 8);
    const e1 = laneAbsDiff(a1, b1), o1 = laneAbsDiff(a1 >>> 8, b1 >>> 8);
    const e2 = laneAbsDiff(a2, b2), o2 = laneAbsDiff(a2 >>> 8, b2 >>> 8);
    const inMask = M === undefined ? 0 : M[q]!;
    if (M !== undefined && inMask === 0) {
      // four pixels outside the mask: only their sum counts (a lane gains at most 1530 here, so 20 groups fit)
      lanes += e0 + o0 + e1 + o1 + e2 + o2;
      if ((q & 15) === 15) {
        outsideSum += (lanes & 0xffff) + (lanes >>> 16);
        lanes = 0;
      }
      continue;
    }
    const s0 = (e0 & 0xffff) + (e0 >>> 16) + (o0 & 0xffff);
    const s1 = (o0 >>> 16) + (e1 & 0xffff) + (o1 & 0xffff);
    const s2 = (e1 >>> 16) + (o1 >>> 16) + (e2 & 0xffff);
    const s3 = (e2 >>> 16) + (o2 & 0xffff) + (o2 >>> 16);
    const c0 = (CHANGED - s0) >>> 31, c1 = (CHANGED - s1) >>> 31, c2 = (CHANGED - s2) >>> 31, c3 = (CHANGED - s3) >>> 31;
    const k0 = (inMask >>> 7) & 1, k1 = (inMask >>> 15) & 1, k2 = (inMask >>> 23) & 1, k3 = inMask >>> 31;
    if (M === undefined) changed += c0 + c1 + c2 + c3;
    changedInside += (c0 & k0) + (c1 & k1) + (c2 & k2) + (c3 & k3);
    outsideSum += (s0 & (k0 - 1)) + (s1 & (k1 - 1)) + (s2 & (k2 - 1)) + (s3 & (k3 - 1));
  }
  total.outsideSum += outsideSum + (lanes & 0xffff) + (lanes >>> 16);
  total.changed += changed;
  total.changedInside += changedInside;
}

/** any layout (RGBA on either side, widths not a multiple of 4, unaligned buffers) */
function scalarRow(output: Raster, input: Raster, m: Uint8Array | undefined, row: number, width: number, total: PlateDifference): void {
  const [a, b, ca, cb] = [output.data, input.data, output.channels, input.channels];
  for (let p = row, i = row * ca, j = row * cb, end = row + width; p < end; p++, i += ca, j += cb) {
    const sum = absDiff(a[i]!, b[j]!) + absDiff(a[i + 1]!, b[j + 1]!) + absDiff(a[i + 2]!, b[j + 2]!);
    const over = (CHANGED - sum) >>> 31;
    const inMask = m === undefined ? 0 : m[p]! >>> 7;
    if (m === undefined) total.changed += over;
    total.changedInside += over & inMask;
    total.outsideSum += sum & (inMask - 1);
  }
}

/** The sum of |R|+|G|+|B| differences between `inner` and the same-size region of `outer` at (left, top). */
export function regionDifference(outer: Raster, inner: Raster, at: { left: number; top: number }): number {
  const [a, b, ca, cb] = [outer.data, inner.data, outer.channels, inner.channels];
  let total = 0;
  for (let y = 0; y < inner.height; y++) {
    const i0 = ((y + at.top) * outer.width + at.left) * ca;
    const j0 = y * inner.width * cb;
    if (ca === cb && a.compare(b, j0, j0 + inner.width * cb, i0, i0 + inner.width * ca) === 0) continue;
    let sum = 0;
    for (let x = 0, i = i0, j = j0; x < inner.width; x++, i += ca, j += cb) sum += absDiff(a[i]!, b[j]!) + absDiff(a[i + 1]!, b[j + 1]!) + absDiff(a[i + 2]!, b[j + 2]!);
    total += sum;
  }
  return total;
}
