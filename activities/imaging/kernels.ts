// The scene checks' inner loops as WebAssembly SIMD (kernels/pixels.c, built into kernels/pixels.wasm), sixteen
// pixels a step. The callers choose which rows need reading (a memory comparison skips the rest); those rows are
// copied into the module's memory a slice at a time, small enough to stay in the CPU's cache between the copy and
// the pass. Should the module not load, `kernels` is undefined and the callers read pixel by pixel (a unit test
// fails first: test/unit/scene-imaging.test.ts).
import fs from 'node:fs';

/** pixels a slice holds: 3 × 64 Ki bytes of each picture, 64 KiB of mask */
const SLICE = 65536;
const PAGE = 65536;

interface Exports {
  plate_difference(a: number, b: number, m: number, pixels: number, out: number): void;
  count_non_white(data: number, pixels: number, channels: number, floor: number): number;
  count_opaque(data: number, pixels: number): number;
  __heap_base: WebAssembly.Global;
}

function load() {
  try {
    const memory = new WebAssembly.Memory({ initial: 2 });
    const module = new WebAssembly.Module(fs.readFileSync(new URL('./kernels/pixels.wasm', import.meta.url)));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
    // the result (16 bytes), then one slice of each picture and of the mask, each 16-byte aligned
    const out = (Number(exports.__heap_base.value) + 15) & ~15;
    const [a, b, m] = [out + 16, out + 16 + SLICE * 4, out + 16 + SLICE * 8];
    const end = m + SLICE;
    if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    const bytes = new Uint8Array(memory.buffer);
    const result = new DataView(memory.buffer, out, 16);
    return { exports, bytes, result, at: { out, a, b, m } };
  } catch {
    return undefined;
  }
}

const loaded = load();

export interface PlateSums { outsideSum: number; changed: number; changedInside: number }

export const kernels = loaded && {
  /**
   * plateDifference's sums over two same-length runs of RGB pixels and an optional one-byte-a-pixel mask, added to
   * `total`: the sum of |R|+|G|+|B| outside the mask, pixels changed (without a mask), pixels changed inside it.
   */
  plateDifference(a: Uint8Array, b: Uint8Array, m: Uint8Array | undefined, total: PlateSums): void {
    const { exports, bytes, result, at } = loaded;
    result.setBigUint64(0, 0n, true);
    result.setUint32(8, 0, true);
    result.setUint32(12, 0, true);
    const pixels = Math.floor(a.length / 3);
    for (let p = 0; p < pixels; p += SLICE) {
      const q = Math.min(pixels, p + SLICE);
      bytes.set(a.subarray(p * 3, q * 3), at.a);
      bytes.set(b.subarray(p * 3, q * 3), at.b);
      if (m) bytes.set(m.subarray(p, q), at.m);
      exports.plate_difference(at.a, at.b, m ? at.m : 0, q - p, at.out);
    }
    total.outsideSum += Number(result.getBigUint64(0, true));
    total.changed += result.getUint32(8, true);
    total.changedInside += result.getUint32(12, true);
  },

  /** How many RGBA pixels of a run have an alpha of 128 or more. */
  countOpaque(data: Uint8Array): number {
    return sliced(data, 4, (pixels) => loaded.exports.count_opaque(loaded.at.a, pixels));
  },

  /** How many pixels of a run (3 or 4 channels) have a colour channel below `floor` (0–255) and are not transparent. */
  countNonWhite(data: Uint8Array, channels: 3 | 4, floor: number): number {
    return sliced(data, channels, (pixels) => loaded.exports.count_non_white(loaded.at.a, pixels, channels, floor));
  },
};

/** One picture's pixels through a counting kernel, as many at a time as fill a picture's room (4 × SLICE bytes). */
function sliced(data: Uint8Array, channels: number, count: (pixels: number) => number): number {
  const pixels = Math.floor(data.length / channels);
  const step = Math.floor((SLICE * 4) / channels);
  let total = 0;
  for (let p = 0; p < pixels; p += step) {
    const q = Math.min(pixels, p + step);
    loaded!.bytes.set(data.subarray(p * channels, q * channels), loaded!.at.a);
    total += count(q - p);
  }
  return total;
}
