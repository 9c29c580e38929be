// Tiles repeat: the seam where the right edge meets the left (and the bottom the top) should look like the tile's
// own edges between neighbouring columns (rows). The check compares each wrap-around seam with the strong end
// (90th percentile) of the tile's inner column (row) differences, in OKLab, so a striped pattern whose seam is one
// more stripe edge passes and a gradient that jumps from dark to light fails.
import { blankRaster, blit, type Raster } from './rgba.ts';
import { labDistance, oklab, type Lab } from './oklab.ts';

/** a seam at most this many times the tile's strong inner edges counts as seamless */
export const SEAM_LIMIT = 1.5;
/** a difference in OKLab too small to see: the floor under a flat tile's inner edges */
const VISIBLE = 0.02;

export interface SeamCheck { seam: number; inner: number; ratio: number; seamless: boolean }

const percentile90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))] ?? 0;

function lineCheck(count: number, length: number, distance: (line: number, along: number, next: number) => number): { seam: number; inner: number } {
  const means = Array.from({ length: count }, (_, line) => {
    let sum = 0;
    for (let along = 0; along < length; along++) sum += distance(line, along, (line + 1) % count);
    return sum / length;
  });
  return { seam: means[count - 1]!, inner: percentile90(means.slice(0, count - 1)) };
}

export function checkSeams(tile: Raster): SeamCheck {
  const { width, height, data } = tile;
  const labs: Lab[] = [];
  for (let i = 0; i < data.length; i += 4) labs.push(oklab(data[i]!, data[i + 1]!, data[i + 2]!));
  const at = (x: number, y: number) => labs[y * width + x]!;
  const columns = lineCheck(width, height, (x, y, next) => labDistance(at(x, y), at(next, y)));
  const rows = lineCheck(height, width, (y, x, next) => labDistance(at(x, y), at(x, next)));
  const ratios = [columns, rows].map((c) => c.seam / Math.max(c.inner, VISIBLE));
  const worst = ratios[0]! >= ratios[1]! ? columns : rows;
  const ratio = Math.max(...ratios);
  return { seam: worst.seam, inner: worst.inner, ratio, seamless: ratio <= SEAM_LIMIT };
}

/** the tile repeated 3 × 3, as it will look on the ground */
export function repeat3x3(tile: Raster): Raster {
  const out = blankRaster(tile.width * 3, tile.height * 3);
  for (let row = 0; row < 3; row++) for (let column = 0; column < 3; column++) blit(tile, out, column * tile.width, row * tile.height);
  return out;
}
