// Background to transparent: the corners' colour, when the corners agree on one, is the background; every pixel
// connected to the border and within the tolerance of it is keyed out (flood fill, so a white eye inside a sprite
// on white stays).
import type { Raster } from './rgba.ts';

export interface KeyResult {
  /** the background colour found in the corners, or null when they disagree (nothing keyed) */
  key: [number, number, number] | null;
  /** share of the pixels made transparent */
  keyedShare: number;
}

const distance = (d: Uint8Array, i: number, key: [number, number, number]) => Math.hypot(d[i]! - key[0], d[i + 1]! - key[1], d[i + 2]! - key[2]);

function cornerColour(r: Raster, cx: number, cy: number): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.max(0, cy - 1); y <= Math.min(r.height - 1, cy + 1); y++) {
    for (let x = Math.max(0, cx - 1); x <= Math.min(r.width - 1, cx + 1); x++) {
      const i = (y * r.width + x) * 4;
      sum[0] += r.data[i]!; sum[1] += r.data[i + 1]!; sum[2] += r.data[i + 2]!; n++;
    }
  }
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n].map(Math.round) as [number, number, number];
}

/** The corners' common colour: the one at least three corners are within tolerance of. */
export function backgroundKey(r: Raster, tolerance: number): [number, number, number] | null {
  const corners = [cornerColour(r, 0, 0), cornerColour(r, r.width - 1, 0), cornerColour(r, 0, r.height - 1), cornerColour(r, r.width - 1, r.height - 1)];
  for (const candidate of corners) {
    const agreeing = corners.filter((c) => Math.hypot(c[0] - candidate[0], c[1] - candidate[1], c[2] - candidate[2]) <= tolerance);
    if (agreeing.length >= 3) return agreeing.reduce((s, c) => [s[0] + c[0] / agreeing.length, s[1] + c[1] / agreeing.length, s[2] + c[2] / agreeing.length], [0, 0, 0]).map(Math.round) as [number, number, number];
  }
  return null;
}

/**
 * Keys the background out in place. With `soft`, pixels just beyond the tolerance on the edge of the keyed area get
 * partial alpha (asked for: half-transparent edges); otherwise alpha is 0 or 255.
 */
export function keyBackground(r: Raster, tolerance: number, soft = false): KeyResult {
  const corners = [0, r.width - 1, (r.height - 1) * r.width, r.height * r.width - 1];
  if (corners.filter((p) => r.data[p * 4 + 3] === 0).length >= 3) return { key: null, keyedShare: transparentShare(r) };
  const key = backgroundKey(r, tolerance);
  if (!key) return { key: null, keyedShare: 0 };
  const { width, height, data } = r;
  const keyed = new Uint8Array(width * height);
  const queue = new Int32Array(width * height);
  let head = 0;
  let tail = 0;
  const visit = (p: number) => {
    if (keyed[p]) return;
    if (data[p * 4 + 3] !== 0 && distance(data, p * 4, key) > tolerance) return;
    keyed[p] = 1;
    queue[tail++] = p;
  };
  for (let x = 0; x < width; x++) { visit(x); visit((height - 1) * width + x); }
  for (let y = 0; y < height; y++) { visit(y * width); visit(y * width + width - 1); }
  while (head < tail) {
    const p = queue[head++]!;
    const x = p % width;
    if (x > 0) visit(p - 1);
    if (x < width - 1) visit(p + 1);
    if (p >= width) visit(p - width);
    if (p < width * (height - 1)) visit(p + width);
  }
  for (let p = 0; p < tail; p++) data[queue[p]! * 4 + 3] = 0;
  if (soft) {
    for (let p = 0; p < width * height; p++) {
      if (keyed[p]) continue;
      const x = p % width;
      const nextToKeyed = (x > 0 && keyed[p - 1]) || (x < width - 1 && keyed[p + 1]) || (p >= width && keyed[p - width]) || (p < width * (height - 1) && keyed[p + width]);
      if (!nextToKeyed) continue;
      const over = (distance(data, p * 4, key) - tolerance) / Math.max(tolerance, 1);
      if (over < 1) data[p * 4 + 3] = Math.round(255 * Math.max(0.25, over));
    }
  }
  return { key, keyedShare: tail / (width * height) };
}

/** an image that came with its own transparency (an uploaded PNG) needs no keying */
function transparentShare(r: Raster): number {
  let n = 0;
  for (let i = 3; i < r.data.length; i += 4) if (r.data[i] === 0) n++;
  return n / (r.width * r.height);
}
