// Nearest-neighbour resampling only: every output pixel is a copy of one source pixel, never a blend.
import { blankRaster, type Raster } from './rgba.ts';

export interface Box { left: number; top: number; width: number; height: number }

/** A smaller copy made by picking one pixel per cell (the working size: keying a 1024² image at 256² costs a 16th). */
export function sampleNearest(source: Raster, box: Box, width: number, height: number): Raster {
  const out = blankRaster(width, height);
  const sx = box.width / width;
  const sy = box.height / height;
  const src = new Uint32Array(source.data.buffer, source.data.byteOffset, source.data.length / 4);
  const dst = new Uint32Array(out.data.buffer);
  for (let y = 0; y < height; y++) {
    const row = (box.top + Math.min(box.height - 1, Math.floor((y + 0.5) * sy))) * source.width + box.left;
    for (let x = 0; x < width; x++) dst[y * width + x] = src[row + Math.min(box.width - 1, Math.floor((x + 0.5) * sx))]!;
  }
  return out;
}

/** The smallest box holding every pixel that is not fully transparent, or null for an empty image. */
export function contentBox(r: Raster): Box | null {
  let [minX, minY, maxX, maxY] = [r.width, r.height, -1, -1];
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      if (r.data[(y * r.width + x) * 4 + 3] === 0) continue;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return maxX < 0 ? null : { left: minX, top: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

export function unionBox(boxes: (Box | null)[]): Box | null {
  const present = boxes.filter((b): b is Box => b !== null);
  if (!present.length) return null;
  const left = Math.min(...present.map((b) => b.left));
  const top = Math.min(...present.map((b) => b.top));
  return { left, top, width: Math.max(...present.map((b) => b.left + b.width)) - left, height: Math.max(...present.map((b) => b.top + b.height)) - top };
}

/**
 * `box` of `source` scaled (nearest) to fit a grid × grid cell inside `margin` pixels, aspect kept; centred
 * across, and at the bottom when `ground` (a character stands on the cell's floor) or centred otherwise.
 */
export function fitToGrid(source: Raster, box: Box, grid: number, margin: number, ground: boolean): Raster {
  const room = Math.max(1, grid - 2 * margin);
  const scale = Math.max(box.width, box.height) / room;
  const width = Math.max(1, Math.min(room, Math.round(box.width / scale)));
  const height = Math.max(1, Math.min(room, Math.round(box.height / scale)));
  const content = sampleNearest(source, box, width, height);
  const cell = blankRaster(grid, grid);
  const left = Math.floor((grid - width) / 2);
  const top = ground ? grid - margin - height : Math.floor((grid - height) / 2);
  for (let y = 0; y < height; y++) cell.data.set(content.data.subarray(y * width * 4, (y + 1) * width * 4), ((top + y) * grid + left) * 4);
  return cell;
}

/** Integer upscale for previews: each pixel becomes a factor × factor block of itself. */
export function upscale(source: Raster, factor: number): Raster {
  const out = blankRaster(source.width * factor, source.height * factor);
  const src = new Uint32Array(source.data.buffer, source.data.byteOffset, source.data.length / 4);
  const dst = new Uint32Array(out.data.buffer);
  for (let y = 0; y < out.height; y++) {
    const from = Math.floor(y / factor) * source.width;
    for (let x = 0; x < out.width; x++) dst[y * out.width + x] = src[from + Math.floor(x / factor)]!;
  }
  return out;
}

/** the largest whole factor that keeps the longer side within `maxSide` (at least 1) */
export const previewFactor = (r: Raster, maxSide: number) => Math.max(1, Math.floor(maxSide / Math.max(r.width, r.height)));
