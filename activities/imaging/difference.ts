// How far a step's output is from its input, pixel by pixel: the sums behind REMOVE's and REFRAME's checks.
// Rows whose bytes are identical (ComfyUI's graphs paste the source back outside their masks) cost one memory
// comparison; the rows that differ go to the SIMD kernels (kernels.ts) a stretch at a time. Layouts the kernels do
// not take (RGBA on either side) are read pixel by pixel.
import { kernels } from './kernels.ts';
import { countAtLeastHalf } from './pixel-scan.ts';
import type { Raster } from './raster.ts';

/** a pixel has changed when its three channels' differences add up to more than 72 (a mean above 24; as kernels/pixels.c) */
const CHANGED = 72;

const absDiff = (x: number, y: number) => {
  const d = x - y;
  return (d ^ (d >> 31)) - (d >> 31);
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

/** Differences between two same-size pictures, with an optional one-channel mask of the same size. */
export function plateDifference(output: Raster, input: Raster, mask?: Raster): PlateDifference {
  const { width, height } = input;
  const [a, b, m] = [output.data, input.data, mask?.data];
  const total: PlateDifference = { outsideSum: 0, inside: m ? maskArea(m) : 0, changed: 0, changedInside: 0 };
  const rgb = kernels && output.channels === 3 && input.channels === 3;
  const sameRow = (y: number) => output.channels === input.channels
    && a.compare(b, y * width * input.channels, (y + 1) * width * input.channels, y * width * output.channels, (y + 1) * width * output.channels) === 0;
  // the first row of the stretch of differing rows being gathered for the kernel
  let first = -1;
  for (let y = 0; y <= height; y++) {
    const same = y === height || sameRow(y);
    if (!same && !rgb) scalarRow(output, input, m, y * width, width, total);
    else if (!same && first < 0) first = y;
    else if (same && first >= 0) {
      const [from, to] = [first * width, y * width];
      kernels!.plateDifference(a.subarray(from * 3, to * 3), b.subarray(from * 3, to * 3), m?.subarray(from, to), total);
      first = -1;
    }
  }
  return total;
}

/** any layout (RGBA on either side) */
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
  const rgb = kernels && ca === 3 && cb === 3;
  const sums = { outsideSum: 0, changed: 0, changedInside: 0 };
  for (let y = 0; y < inner.height; y++) {
    const i0 = ((y + at.top) * outer.width + at.left) * ca;
    const j0 = y * inner.width * cb;
    if (ca === cb && a.compare(b, j0, j0 + inner.width * cb, i0, i0 + inner.width * ca) === 0) continue;
    if (rgb) {
      kernels!.plateDifference(a.subarray(i0, i0 + inner.width * 3), b.subarray(j0, j0 + inner.width * 3), undefined, sums);
      continue;
    }
    let sum = 0;
    for (let x = 0, i = i0, j = j0; x < inner.width; x++, i += ca, j += cb) sum += absDiff(a[i]!, b[j]!) + absDiff(a[i + 1]!, b[j + 1]!) + absDiff(a[i + 2]!, b[j + 2]!);
    sums.outsideSum += sum;
  }
  return sums.outsideSum;
}
